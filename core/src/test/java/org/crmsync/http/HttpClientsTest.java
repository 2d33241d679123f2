package org.crmsync.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HttpClientsTest {
    @RegisterExtension
    static WireMockExtension crm = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private final MutableClock clock = MutableClock.at("2024-05-01T10:00:00Z");
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);
    private final RecordingMeter meter = RecordingMeter.unlimited();

    private HttpClients.Builder builder() {
        return HttpClients.builder().clock(clock).sleeper(sleeper).meter(() -> meter);
    }

    private Request getRequest(String path) {
        return new Request.Builder().url(crm.baseUrl() + path).build();
    }

    @Test
    void refusesPlainHttpNamingTheHostUnlessAllowed() {
        crm.stubFor(get("/contacts").willReturn(ok()));
        OkHttpClient client = builder().build();

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> client.newCall(getRequest("/contacts")).execute());

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage())
                .contains("localhost")
                .contains("HTTPS is required")
                .contains("allowPlainHttp");
        crm.verify(0, anyRequestedFor(anyUrl()));
        assertThat(meter.used()).isZero();
    }

    @Test
    void sendsPlainHttpWhenAllowedForALocalSimulator() throws IOException {
        crm.stubFor(get("/contacts").willReturn(ok("[]")));

        try (Response response = builder().allowPlainHttp(true).build().newCall(getRequest("/contacts")).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
    }

    @Test
    void appliesTheConfiguredTimeouts() {
        OkHttpClient defaults = builder().build();
        OkHttpClient custom = builder().connectTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(20)).build();

        assertThat(defaults.connectTimeoutMillis()).isEqualTo(10_000);
        assertThat(defaults.readTimeoutMillis()).isEqualTo(30_000);
        assertThat(custom.connectTimeoutMillis()).isEqualTo(3_000);
        assertThat(custom.readTimeoutMillis()).isEqualTo(20_000);
        assertThat(defaults.retryOnConnectionFailure()).isFalse();
    }

    @Test
    void theConnectorsSettingsGiveTheTimeoutsTheAttemptsAndTheRetryAfterCap() throws IOException {
        HttpSettings settings = HttpSettings.builder().connectTimeout(Duration.ofSeconds(3))
                .readTimeout(Duration.ofSeconds(7)).maxAttempts(2).maxRetryAfter(Duration.ofSeconds(5)).build();
        OkHttpClient client = builder().retryPolicy(RetryPolicy.builder().maxAttempts(9).jitter(false).build())
                .settings(settings).allowPlainHttp(true).build();
        crm.stubFor(get("/busy").willReturn(aResponse().withStatus(503)));
        crm.stubFor(get("/slow-down").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "6")));

        assertThat(client.connectTimeoutMillis()).isEqualTo(3_000);
        assertThat(client.readTimeoutMillis()).isEqualTo(7_000);
        assertThat(client.writeTimeoutMillis()).isEqualTo(7_000);
        try (Response busy = client.newCall(getRequest("/busy")).execute();
                Response slowDown = client.newCall(getRequest("/slow-down")).execute()) {
            assertThat(busy.code()).isEqualTo(503);
            assertThat(slowDown.code()).isEqualTo(429);
        }
        crm.verify(2, getRequestedFor(urlEqualTo("/busy")));
        crm.verify(1, getRequestedFor(urlEqualTo("/slow-down")));
    }

    @Test
    void buildRequiresAMeterAndValidSettings() {
        assertThatThrownBy(() -> HttpClients.builder().rateLimit(0, 1).readTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("meter is required")
                .hasMessageContaining("readTimeout")
                .hasMessageContaining("permitsPerSecond");
    }

    @Test
    void rateLimitSpacesCalls() throws IOException {
        crm.stubFor(get("/contacts").willReturn(ok()));
        OkHttpClient client = builder().allowPlainHttp(true).rateLimit(2.0, 1).build();

        for (int i = 0; i < 3; i++) {
            client.newCall(getRequest("/contacts")).execute().close();
        }

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(500), Duration.ofMillis(500));
    }

    @Test
    void rateLimitAppliesToRetriesToo() throws IOException {
        crm.stubFor(get("/contacts").inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        crm.stubFor(get("/contacts").inScenario("flaky").whenScenarioStateIs("up").willReturn(ok()));
        OkHttpClient client = builder()
                .allowPlainHttp(true)
                .rateLimit(1.0, 1)
                .retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(100)).jitter(false).build())
                .build();

        try (Response response = client.newCall(getRequest("/contacts")).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }

        // 100 ms of backoff, then the limiter holds the retry until a full second after the first call.
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(900));
    }

    @Test
    void sharedRateLimiterSpacesCallsAcrossClients() throws IOException {
        crm.stubFor(get("/contacts").willReturn(ok()));
        RateLimiter shared = RateLimiter.create(4.0, 1, clock, sleeper);
        OkHttpClient first = builder().allowPlainHttp(true).rateLimiter(shared).build();
        OkHttpClient second = builder().allowPlainHttp(true).rateLimiter(shared).build();

        first.newCall(getRequest("/contacts")).execute().close();
        second.newCall(getRequest("/contacts")).execute().close();

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(250));
    }

    @Test
    void aDeclaredRateLimitKeepsTenPercentUnderIt() throws IOException {
        crm.stubFor(get("/contacts").willReturn(ok()));
        OkHttpClient client = builder().allowPlainHttp(true).declaredRateLimit(5).build();

        for (int i = 0; i < 3; i++) {
            client.newCall(getRequest("/contacts")).execute().close();
        }

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(223), Duration.ofMillis(223));
    }

    @Test
    void a429WithRetryAfterPausesEveryClientSharingTheLimiter() throws IOException {
        crm.stubFor(get("/refused").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")));
        crm.stubFor(get("/contacts").willReturn(ok()));
        RateLimiter shared = RateLimiter.create(4.0, 1, clock, sleeper);
        OkHttpClient refused = builder().allowPlainHttp(true).rateLimiter(shared).retryPolicy(RetryPolicy.none())
                .build();
        OkHttpClient other = builder().allowPlainHttp(true).rateLimiter(shared).build();

        try (Response r = refused.newCall(getRequest("/refused")).execute()) {
            assertThat(r.code()).isEqualTo(429);
        }
        other.newCall(getRequest("/contacts")).execute().close();

        // The other client did not meet the 429, yet waits out its Retry-After before its request goes.
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void onlyAPostTaggedIdempotentIsSafeToRepeatAfterAServerErrorOrAConnectionFailure() {
        RequestBody body = RequestBody.create("{}", MediaType.get("application/json"));
        Request tagged = HttpClients.idempotent(new Request.Builder().url("https://crm.example.com/upsert"))
                .post(body)
                .build();
        Request plain = new Request.Builder().url("https://crm.example.com/create").post(body).build();

        assertThat(tagged.tag(Idempotent.class)).isSameAs(Idempotent.INSTANCE);
        assertThat(RetryInterceptor.safeToRepeat(tagged)).isTrue();
        assertThat(RetryInterceptor.safeToRepeat(plain)).isFalse();
    }
}
