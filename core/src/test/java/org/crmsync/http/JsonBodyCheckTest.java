package org.crmsync.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class JsonBodyCheckTest {
    @RegisterExtension
    static WireMockExtension crm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private final MutableClock clock = MutableClock.at("2024-05-01T10:00:00Z");
    private final OkHttpClient client = HttpClients.builder().clock(clock).sleeper(new RecordingSleeper(clock))
            .meter(RecordingMeter::unlimited).allowPlainHttp(true).build();

    private static Request json(String path) {
        return new Request.Builder().url(crm.baseUrl() + path).header("Accept", "application/json").build();
    }

    private void answer(String path, int status, String contentType, String body) {
        crm.stubFor(get(path).willReturn(aResponse().withStatus(status).withHeader("Content-Type", contentType)
                .withBody(body)));
    }

    @Test
    void anHtmlPageWith200IsDescribedByStatusContentTypeAndItsFirstCharactersSanitized() {
        answer("/contacts", 200, "text/html; charset=utf-8", "<html>\n  <body>Log in again.\n Help: it@acme.example,"
                + " 415-555-0100. Session Bearer abc</body>\n</html>");

        IOException e = catchThrowableOfType(IOException.class, () -> client.newCall(json("/contacts")).execute());

        assertThat(e).isInstanceOf(UnexpectedBodyException.class).hasMessage("answered HTTP 200 with text/html;"
                + " charset=utf-8 instead of JSON; it begins: '<html> <body>Log in again. Help: <email>, <phone>."
                + " Session Bearer abc</body> </html>'");
        CrmSyncException reported = ConnectionFailure.of(e, json("/contacts")).what("ActiveCampaign contacts")
                .hostSetting("api.url").toException();
        assertThat(reported.code()).isEqualTo(ErrorCode.UNEXPECTED_RESPONSE);
        assertThat(reported.httpStatus()).hasValue(200);
        assertThat(reported.getMessage()).startsWith("ActiveCampaign contacts: GET http://localhost:")
                .contains("/contacts answered HTTP 200 with text/html").contains("Check api.url");
    }

    @Test
    void truncatedJsonSaysWhereItBreaksAsLineAndColumn() {
        answer("/contacts", 200, "application/json", "{\"contacts\":[\n{\"id\":\"1\",\"email\":\"ana@example.org\"},\n"
                + "{\"id\":\"2\",\"em");

        IOException e = catchThrowableOfType(IOException.class, () -> client.newCall(json("/contacts")).execute());

        assertThat(e).isInstanceOf(UnexpectedBodyException.class);
        assertThat(e.getMessage()).startsWith("answered HTTP 200 with application/json, but the body breaks at line 3,"
                + " column ").contains("it ends before the JSON is complete, after 65 bytes")
                .contains("it begins: '{\"contacts\":[ {\"id\":\"1\",\"email\":\"<email>\"},")
                .doesNotContain("ana@example.org");
        assertThat(ConnectionFailure.of(e, json("/contacts")).what("ActiveCampaign contacts").hostSetting("api.url")
                .toException().getMessage()).contains("The answer may have been cut off on the way")
                .doesNotContain("maintenance page");
    }

    @Test
    void malformedJsonIsNotWellFormed() {
        answer("/contacts", 200, "application/json", "{\"contacts\": [1, 2,, 3]}");

        IOException e = catchThrowableOfType(IOException.class, () -> client.newCall(json("/contacts")).execute());

        assertThat(e).isInstanceOf(UnexpectedBodyException.class);
        assertThat(e.getMessage()).contains("breaks at line 1, column 20: it is not well-formed JSON");
    }

    @Test
    void validJsonIsHandedOnWhole() throws IOException {
        answer("/contacts", 200, "application/json", "{\"contacts\":[{\"id\":\"1\"}]}");

        try (Response response = client.newCall(json("/contacts")).execute()) {
            assertThat(response.body().contentType().toString()).isEqualTo("application/json");
            assertThat(response.body().string()).isEqualTo("{\"contacts\":[{\"id\":\"1\"}]}");
        }
    }

    @Test
    void requestsThatDoNotAskForJsonAndUnsuccessfulAnswersPassUnchecked() throws IOException {
        answer("/export", 200, "text/html", "<html>login</html>");
        answer("/broken", 502, "text/html", "<html>Bad Gateway</html>");

        try (Response export = client.newCall(new Request.Builder().url(crm.baseUrl() + "/export").build()).execute();
                Response broken = client.newCall(json("/broken")).execute()) {
            assertThat(export.body().string()).isEqualTo("<html>login</html>");
            assertThat(broken.code()).isEqualTo(502);
        }
    }
}
