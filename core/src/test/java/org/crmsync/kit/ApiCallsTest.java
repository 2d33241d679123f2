package org.crmsync.kit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.util.List;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.http.HttpClients;
import org.crmsync.http.RetryPolicy;
import org.crmsync.spi.ApiCallMeter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import retrofit2.Call;
import retrofit2.Retrofit;
import retrofit2.converter.jackson.JacksonConverterFactory;
import retrofit2.http.Body;
import retrofit2.http.GET;
import retrofit2.http.POST;

class ApiCallsTest {
    record Thing(String id, int count) {
    }

    interface Api {
        @GET("things/1")
        Call<Thing> thing();

        @POST("things")
        Call<Thing> create(@Body Thing thing);
    }

    private final WireMockServer crm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private final Api api;
    private final ApiCalls calls = ApiCalls.builder("Acme CRM").hostSetting("acme.host")
            .secrets(() -> List.of("s3cret-token"))
            .createsWithoutDeduplication(r -> r.method().equals("POST"), "look it up before sending it again").build();

    ApiCallsTest() {
        crm.start();
        api = new Retrofit.Builder().baseUrl(crm.baseUrl() + "/").client(HttpClients.builder()
                .meter(ApiCallMeter::unlimited).retryPolicy(RetryPolicy.none()).allowPlainHttp(true).build())
                .addConverterFactory(JacksonConverterFactory.create()).build().create(Api.class);
    }

    @AfterEach
    void stop() {
        crm.stop();
    }

    @Test
    void aCreateWhoseConnectionDropsSaysItMayHaveBeenAppliedAndHowNotToCreateItTwice() {
        crm.stubFor(any(urlPathEqualTo("/things")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> calls.send(api.create(new Thing("x", 1)), "Acme CRM create of things"));

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.getMessage()).contains("Acme CRM create of things").contains("may have applied")
                .contains("look it up before sending it again");
    }

    @Test
    void jsonOfAnotherShapeIsAnUnexpectedResponseThatQuotesNoValue() {
        crm.stubFor(any(urlPathEqualTo("/things/1")).willReturn(aResponse().withHeader("Content-Type",
                "application/json").withBody("{\"id\":\"ana@example.org\",\"count\":\"many\"}")));

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> calls.body(api.thing(), "Acme CRM read of a thing", (r, what) -> null));

        assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_RESPONSE);
        assertThat(e.getMessage()).contains("Acme CRM read of a thing").contains("not what Acme CRM documents")
                .doesNotContain("many").doesNotContain("ana@example.org").doesNotContain("Jackson");
        assertThat(e.getCause()).isNull();
    }

    @Test
    void anUnsuccessfulAnswerIsTheDecodersErrorAndASuccessfulOneItsBody() {
        crm.stubFor(any(urlPathEqualTo("/things/1")).willReturn(aResponse().withStatus(404)));

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class, () -> calls.body(api.thing(), "read",
                (r, what) -> CrmSyncException.http(ErrorCode.UNEXPECTED_RESPONSE, what + ": no such thing", r.code(),
                        null)));

        assertThat(e.getMessage()).isEqualTo("read: no such thing");
        assertThat(e.httpStatus()).hasValue(404);

        crm.stubFor(any(urlPathEqualTo("/things/1")).willReturn(aResponse().withHeader("Content-Type",
                "application/json").withBody("{\"id\":\"1\",\"count\":2}")));
        assertThat(calls.body(api.thing(), "read", (r, what) -> null)).isEqualTo(new Thing("1", 2));
    }
}
