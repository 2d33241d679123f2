package org.crmsync.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HttpErrorsTest {
    @RegisterExtension
    static WireMockExtension crm = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static Response response(int status, String body) {
        Request request = new Request.Builder()
                .url("https://crm.example.com/api/contacts?api_key=qk-456&page=2")
                .header("Authorization", "Bearer sekret-token-123")
                .build();
        return new Response.Builder()
                .request(request)
                .protocol(Protocol.HTTP_1_1)
                .code(status)
                .message("Status " + status)
                .header("X-Request-Id", "req-9")
                .body(ResponseBody.create(body, MediaType.get("application/json")))
                .build();
    }

    @Test
    void mapsStatusesToErrorCodes() {
        assertThat(HttpErrors.codeFor(400)).isEqualTo(ErrorCode.RECORD_REJECTED);
        assertThat(HttpErrors.codeFor(401)).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(HttpErrors.codeFor(403)).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(HttpErrors.codeFor(404)).isEqualTo(ErrorCode.UNEXPECTED_RESPONSE);
        assertThat(HttpErrors.codeFor(409)).isEqualTo(ErrorCode.RECORD_REJECTED);
        assertThat(HttpErrors.codeFor(422)).isEqualTo(ErrorCode.RECORD_REJECTED);
        assertThat(HttpErrors.codeFor(429)).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(HttpErrors.codeFor(500)).isEqualTo(ErrorCode.REMOTE_UNAVAILABLE);
        assertThat(HttpErrors.codeFor(503)).isEqualTo(ErrorCode.REMOTE_UNAVAILABLE);
        assertThat(HttpErrors.codeFor(599)).isEqualTo(ErrorCode.REMOTE_UNAVAILABLE);
        assertThat(HttpErrors.codeFor(302)).isEqualTo(ErrorCode.UNEXPECTED_RESPONSE);
    }

    @Test
    void authenticationFailureCarriesStatusAndRequestIdAndNoSecret() {
        Response response = response(401,
                "{\"message\":\"Session expired or invalid: Bearer sekret-token-123\",\"refresh_token\":\"rt-77\"}");

        CrmSyncException e = HttpErrors.toException(response, "Query for Contacts", "X-Request-Id");

        assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.httpStatus()).hasValue(401);
        assertThat(e.requestId()).hasValue("req-9");
        assertThat(e.getMessage())
                .startsWith("Query for Contacts failed: HTTP 401")
                .contains("GET https://crm.example.com/api/contacts", "req-9",
                        "Check the credentials", "Session expired or invalid")
                .doesNotContain("sekret-token-123", "qk-456", "rt-77", "Authorization", "page=2");
    }

    @Test
    void masksSecretValuesTheConnectorKnows() {
        Response response = response(400, "{\"error\":\"bad login for password Tr0ub4dor\"}");

        CrmSyncException e = HttpErrors.toException(response, "Login", "X-Request-Id", List.of("Tr0ub4dor"));

        assertThat(e.code()).isEqualTo(ErrorCode.RECORD_REJECTED);
        assertThat(e.getMessage()).contains("bad login for password ***").doesNotContain("Tr0ub4dor");
    }

    @Test
    void quotesAtMostTheFirst500CharactersOfTheBody() {
        Response response = response(422, "x".repeat(2_000));

        CrmSyncException e = HttpErrors.toException(response, "Create contact");

        assertThat(e.getMessage()).contains("x".repeat(500) + "...").doesNotContain("x".repeat(501));
        assertThat(e.requestId()).isEmpty();
    }

    @Test
    void serverErrorIsRetryableAndLeavesTheBodyForTheCaller() throws IOException {
        Response response = response(503, "maintenance");

        CrmSyncException e = HttpErrors.toException(response, "Bulk job status", "X-Request-Id");

        assertThat(e.code()).isEqualTo(ErrorCode.REMOTE_UNAVAILABLE);
        assertThat(e.retryable()).isTrue();
        assertThat(response.body().string()).isEqualTo("maintenance");
    }

    @Test
    void mapsARealForbiddenResponseFromTheCrm() throws IOException {
        crm.stubFor(get("/services/data/v60.0/sobjects/Contact").willReturn(aResponse()
                .withStatus(403)
                .withHeader("Sforce-Request-Id", "4f2a")
                .withBody("[{\"errorCode\":\"INSUFFICIENT_ACCESS\",\"message\":\"insufficient access rights\"}]")));
        OkHttpClient client = HttpClients.builder().meter(RecordingMeter::unlimited).allowPlainHttp(true).build();

        try (Response response = client.newCall(new Request.Builder()
                        .url(crm.baseUrl() + "/services/data/v60.0/sobjects/Contact")
                        .header("Authorization", "Bearer 00D!secret")
                        .build())
                .execute()) {
            CrmSyncException e = HttpErrors.toException(response, "Describe Contact", "Sforce-Request-Id");

            assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(e.httpStatus()).hasValue(403);
            assertThat(e.requestId()).hasValue("4f2a");
            assertThat(e.getMessage()).contains("INSUFFICIENT_ACCESS").doesNotContain("00D!secret");
        }
    }

    @Test
    void keepsANonDefaultPortInTheUrlAndLeavesOutTheQuery() {
        Request request = new Request.Builder().url("http://127.0.0.1:50123/00ONOPE?export=1&xf=csv").build();
        Response response = new Response.Builder().request(request).protocol(Protocol.HTTP_1_1).code(404)
                .message("Not Found").body(ResponseBody.create("", null)).build();

        CrmSyncException e = HttpErrors.toException(response, "Salesforce report export download");

        assertThat(e.getMessage()).contains("from GET http://127.0.0.1:50123/00ONOPE.").doesNotContain("export=1");
        assertThat(HttpErrors.where(request)).isEqualTo("GET http://127.0.0.1:50123/00ONOPE");
    }

    @Test
    void quotesTheContentTypeAndMasksEmailsAndPhoneNumbersInTheBody() {
        Request request = new Request.Builder().url("https://crm.example.com/api/contacts").build();
        Response response = new Response.Builder().request(request).protocol(Protocol.HTTP_1_1).code(422)
                .message("Unprocessable").body(ResponseBody.create("{\"errors\":[{\"title\":\"Email ana@example.org"
                        + " is taken by +1 (415) 555-2671\"}]}", MediaType.get("application/json"))).build();

        CrmSyncException e = HttpErrors.toException(response, "Create contact");

        assertThat(e.getMessage()).contains("Response (application/json; charset=utf-8): {\"errors\":[{\"title\":\"Email <email> is"
                + " taken by <phone>\"}]}").doesNotContain("ana@example.org").doesNotContain("555-2671");
    }

    @Test
    void aConnectorMayGiveItsOwnAdviceForAStatus() {
        CrmSyncException e = HttpErrors.of(response(404, "[]"), "Report export").advice(404, "Check export.url.")
                .toException();

        assertThat(e.getMessage()).contains("Check export.url.").doesNotContain("API version");
    }

    @Test
    void a429WhoseRetryAfterWasBeyondTheCapSaysTheWaitTheCapAndTheSettingThatRaisesIt() throws IOException {
        crm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/contacts").willReturn(aResponse()
                .withStatus(429).withHeader("Retry-After", "3600").withBody("{}")));
        OkHttpClient client = HttpClients.builder().meter(RecordingMeter::unlimited).allowPlainHttp(true)
                .settings(HttpSettings.builder().maxRetryAfter(java.time.Duration.ofSeconds(90)).build()).build();

        try (Response response = client.newCall(new Request.Builder().url(crm.baseUrl() + "/contacts")
                .post(okhttp3.RequestBody.create("{}", MediaType.get("application/json"))).build()).execute()) {
            CrmSyncException e = HttpErrors.toException(response, "Create contact");

            assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(e.httpStatus()).hasValue(429);
            assertThat(e.getMessage()).contains("The CRM asked to wait 3600 s (Retry-After: 3600) before the next call,"
                    + " longer than the 90 s this connector waits at most (http.max.retry.after); raise"
                    + " http.max.retry.after to wait that long, or run the sync later.");
        }
    }

    @Test
    void jsonOfAnUnexpectedShapeIsNamedByFieldPathAndPositionWithoutTheParsersWording() {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        record Page(List<Row> records) {
        }
        com.fasterxml.jackson.core.JsonProcessingException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                com.fasterxml.jackson.core.JsonProcessingException.class,
                () -> mapper.readValue("{\"records\":[{\"Id\":\"1\"},\n{\"Id\":{\"x\":1}}]}", Page.class));

        assertThat(HttpErrors.unreadableJson(e)).isEqualTo("the JSON answer does not have the shape this connector"
                + " reads (at records[1].Id), line 2, column 7");
    }

    record Row(String Id) {
    }
}
