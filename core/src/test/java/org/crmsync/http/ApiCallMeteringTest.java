package org.crmsync.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApiCallMeteringTest {
    @RegisterExtension
    static WireMockExtension crm = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private final MutableClock clock = MutableClock.at("2024-05-01T10:00:00Z");
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);
    private final AtomicReference<ApiCallMeter> meter = new AtomicReference<>(RecordingMeter.unlimited());
    private final OkHttpClient client = HttpClients.builder()
            .clock(clock)
            .sleeper(sleeper)
            .retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(100)).jitter(false).build())
            .meter(meter::get)
            .allowPlainHttp(true)
            .build();

    private Request getRequest(String path) {
        return new Request.Builder().url(crm.baseUrl() + path).build();
    }

    @Test
    void countsEveryAttemptIncludingRetriesAsMethodAndPathWithoutTheQuery() throws IOException {
        RecordingMeter recording = RecordingMeter.unlimited();
        meter.set(recording);
        crm.stubFor(get(urlPathEqualTo("/contacts")).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("still"));
        crm.stubFor(get(urlPathEqualTo("/contacts")).inScenario("flaky").whenScenarioStateIs("still")
                .willReturn(aResponse().withStatus(500)).willSetStateTo("up"));
        crm.stubFor(get(urlPathEqualTo("/contacts")).inScenario("flaky").whenScenarioStateIs("up").willReturn(ok()));

        try (Response response = client.newCall(getRequest("/contacts?access_token=s3cr3t&limit=100")).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        assertThat(recording.calls()).containsExactly("GET /contacts", "GET /contacts", "GET /contacts");
        crm.verify(3, getRequestedFor(urlPathEqualTo("/contacts")));
    }

    @Test
    void exhaustedQuotaStopsTheCallBeforeItReachesTheCrm() {
        meter.set(new RecordingMeter(0));
        crm.stubFor(get("/contacts").willReturn(ok()));

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> client.newCall(getRequest("/contacts")).execute());

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXHAUSTED);
        crm.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void quotaRunningOutDuringRetriesStopsTheRetries() {
        RecordingMeter recording = new RecordingMeter(2);
        meter.set(recording);
        crm.stubFor(get("/contacts").willReturn(aResponse().withStatus(503)));

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> client.newCall(getRequest("/contacts")).execute());

        assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXHAUSTED);
        assertThat(recording.used()).isEqualTo(2);
        crm.verify(2, getRequestedFor(urlPathEqualTo("/contacts")));
    }

    @Test
    void asksTheSupplierForTheMeterOnEveryCallSoEachRunHasItsOwn() throws IOException {
        crm.stubFor(get("/contacts").willReturn(ok()));
        RecordingMeter firstRun = RecordingMeter.unlimited();
        RecordingMeter secondRun = RecordingMeter.unlimited();

        meter.set(firstRun);
        client.newCall(getRequest("/contacts")).execute().close();
        meter.set(secondRun);
        client.newCall(getRequest("/contacts")).execute().close();
        client.newCall(getRequest("/contacts")).execute().close();

        assertThat(firstRun.used()).isEqualTo(1);
        assertThat(secondRun.used()).isEqualTo(2);
    }
}
