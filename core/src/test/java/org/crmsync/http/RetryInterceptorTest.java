package org.crmsync.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RetryInterceptorTest {
    @RegisterExtension
    static WireMockExtension crm = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final RetryPolicy EXACT_BACKOFF = RetryPolicy.builder()
            .maxAttempts(4)
            .initialBackoff(Duration.ofMillis(100))
            .maxBackoff(Duration.ofSeconds(1))
            .jitter(false)
            .build();
    private static final MediaType JSON = MediaType.get("application/json");

    private final MutableClock clock = MutableClock.at("2024-05-01T10:00:00Z");
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);
    private final OkHttpClient client = client(EXACT_BACKOFF);

    private OkHttpClient client(RetryPolicy policy) {
        return client(policy, HttpSettings.DEFAULT_CALL_DEADLINE);
    }

    private OkHttpClient client(RetryPolicy policy, Duration deadline) {
        return HttpClients.builder()
                .clock(clock)
                .sleeper(sleeper)
                .retryPolicy(policy)
                .callDeadline(deadline)
                .meter(RecordingMeter::unlimited)
                .allowPlainHttp(true)
                .build();
    }

    private Request.Builder request(String path) {
        return new Request.Builder().url(crm.baseUrl() + path);
    }


    @Test
    void waitsExactlyTheRetryAfterSecondsOf429ThenSucceeds() throws IOException {
        crm.stubFor(get("/contacts").inScenario("limit").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7"))
                .willSetStateTo("open"));
        crm.stubFor(get("/contacts").inScenario("limit").whenScenarioStateIs("open")
                .willReturn(ok("{\"records\":[]}")));

        try (Response response = client.newCall(request("/contacts").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("{\"records\":[]}");
        }
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(7));
        crm.verify(2, getRequestedFor(urlEqualTo("/contacts")));
    }

    @Test
    void honoursRetryAfterGivenAsAnHttpDate() throws IOException {
        crm.stubFor(get("/contacts").inScenario("limit").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "Wed, 01 May 2024 10:00:30 GMT"))
                .willSetStateTo("open"));
        crm.stubFor(get("/contacts").inScenario("limit").whenScenarioStateIs("open").willReturn(ok()));

        try (Response response = client.newCall(request("/contacts").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(30));
    }

    @Test
    void retryAfterDateInThePastRetriesWithoutWaiting() throws IOException {
        crm.stubFor(get("/contacts").inScenario("limit").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "Wed, 01 May 2024 09:59:00 GMT"))
                .willSetStateTo("open"));
        crm.stubFor(get("/contacts").inScenario("limit").whenScenarioStateIs("open").willReturn(ok()));

        try (Response response = client.newCall(request("/contacts").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        assertThat(sleeper.sleeps()).isEmpty();
        crm.verify(2, getRequestedFor(urlEqualTo("/contacts")));
    }

    @Test
    void givesUpAtOnceWhenRetryAfterIsLongerThanTheCap() throws IOException {
        crm.stubFor(get("/contacts").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")));

        try (Response response = client.newCall(request("/contacts").build()).execute()) {
            assertThat(response.code()).isEqualTo(429);
            assertThat(response.header("Retry-After")).isEqualTo("3600");
        }
        assertThat(sleeper.sleeps()).isEmpty();
        crm.verify(1, getRequestedFor(urlEqualTo("/contacts")));
    }

    @Test
    void retriesA503WithBackoffThenSucceeds() throws IOException {
        crm.stubFor(get("/contacts").inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withBody("busy")).willSetStateTo("up"));
        crm.stubFor(get("/contacts").inScenario("flaky").whenScenarioStateIs("up").willReturn(ok("done")));

        try (Response response = client.newCall(request("/contacts").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("done");
        }
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void returnsTheLast503AfterMaxAttemptsRequests() throws IOException {
        crm.stubFor(get("/contacts").willReturn(aResponse().withStatus(503).withBody("still down")));

        try (Response response = client.newCall(request("/contacts").build()).execute()) {
            assertThat(response.code()).isEqualTo(503);
            assertThat(response.body().string()).isEqualTo("still down");
        }
        crm.verify(4, getRequestedFor(urlEqualTo("/contacts")));
        assertThat(sleeper.sleeps()).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void retriesEachRetriableStatus() throws IOException {
        for (int status : new int[] {429, 500, 502, 503, 504}) {
            crm.resetAll();
            crm.stubFor(get("/contacts").willReturn(aResponse().withStatus(status)));
            try (Response response = client(EXACT_BACKOFF.toBuilder().maxAttempts(2).build())
                    .newCall(request("/contacts").build()).execute()) {
                assertThat(response.code()).isEqualTo(status);
            }
            crm.verify(2, getRequestedFor(urlEqualTo("/contacts")));
        }
    }

    @Test
    void doesNotRetryClientErrors() throws IOException {
        crm.stubFor(get("/contacts/1").willReturn(aResponse().withStatus(404)));

        try (Response response = client.newCall(request("/contacts/1").build()).execute()) {
            assertThat(response.code()).isEqualTo(404);
        }
        crm.verify(1, getRequestedFor(urlEqualTo("/contacts/1")));
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void retriesAfterAConnectionResetThenSucceeds() throws IOException {
        crm.stubFor(get("/contacts").inScenario("reset").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("second"));
        crm.stubFor(get("/contacts").inScenario("reset").whenScenarioStateIs("second")
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("fixed"));
        crm.stubFor(get("/contacts").inScenario("reset").whenScenarioStateIs("fixed").willReturn(ok("back")));

        try (Response response = client.newCall(request("/contacts").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("back");
        }
        crm.verify(3, getRequestedFor(urlEqualTo("/contacts")));
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void throwsTheIOExceptionWhenConnectionResetsUseUpTheAttempts() {
        crm.stubFor(get("/contacts").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(() -> client.newCall(request("/contacts").build()).execute())
                .isInstanceOf(IOException.class);
        crm.verify(4, getRequestedFor(urlEqualTo("/contacts")));
        assertThat(sleeper.sleeps()).hasSize(3);
    }

    @Test
    void neverResendsAPostThatIsNotTaggedIdempotentAfterAServerError() throws IOException {
        crm.stubFor(post("/contacts").willReturn(aResponse().withStatus(503)));

        Request create = request("/contacts").post(RequestBody.create("{\"LastName\":\"Doe\"}", JSON)).build();
        try (Response response = client.newCall(create).execute()) {
            assertThat(response.code()).isEqualTo(503);
        }
        crm.verify(1, postRequestedFor(urlEqualTo("/contacts")));
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void neverResendsAPostAfterAConnectionReset() {
        crm.stubFor(post("/contacts").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        Request create = request("/contacts").post(RequestBody.create("{}", JSON)).build();
        assertThatThrownBy(() -> client.newCall(create).execute()).isInstanceOf(IOException.class);
        crm.verify(1, postRequestedFor(urlEqualTo("/contacts")));
    }

    @Test
    void retriesA429ToAPostThatIsNotTaggedIdempotentSinceTheCrmRefusedItBeforeProcessingIt() throws IOException {
        crm.stubFor(post("/contacts").inScenario("limit").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")).willSetStateTo("open"));
        crm.stubFor(post("/contacts").inScenario("limit").whenScenarioStateIs("open").willReturn(ok("{\"id\":\"1\"}")));

        Request create = request("/contacts").post(RequestBody.create("{\"LastName\":\"Doe\"}", JSON)).build();
        try (Response response = client.newCall(create).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        crm.verify(2, postRequestedFor(urlEqualTo("/contacts")));
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void aResponseReturnedAfterRetriesOrARefusedRetryAfterCarriesANoteForTheErrorMessage() throws IOException {
        crm.stubFor(get("/busy").willReturn(aResponse().withStatus(503)));
        crm.stubFor(get("/later").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")));

        try (Response busy = client.newCall(request("/busy").build()).execute();
                Response later = client.newCall(request("/later").build()).execute()) {
            assertThat(busy.request().tag(RetryNote.class)).isEqualTo(new RetryNote(4, 4, java.util.Optional.empty(),
                    EXACT_BACKOFF.maxRetryAfter()));
            assertThat(later.request().tag(RetryNote.class).refusedRetryAfter()).hasValue(Duration.ofHours(1));
        }
    }

    @Test
    void givesUpWhenTheNextWaitWouldPassTheCallDeadline() {
        crm.stubFor(get("/contacts").willReturn(aResponse().withStatus(503)));
        RetryPolicy slow = RetryPolicy.builder().maxAttempts(10).initialBackoff(Duration.ofSeconds(10))
                .maxBackoff(Duration.ofSeconds(40)).jitter(false).build();

        IOException e = catchThrowableOfType(IOException.class,
                () -> client(slow, Duration.ofMinutes(1)).newCall(request("/contacts").build()).execute());

        // 10 s and 20 s are waited; 40 s more, at 30 s in, would leave no time for the next attempt.
        assertThat(e).isInstanceOf(DeadlineExceededException.class);
        DeadlineExceededException deadline = (DeadlineExceededException) e;
        assertThat(deadline.attempts()).isEqualTo(3);
        assertThat(deadline.lastStatus()).hasValue(503);
        assertThat(deadline.elapsed()).isEqualTo(Duration.ofSeconds(30));
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20));
        crm.verify(3, getRequestedFor(urlEqualTo("/contacts")));
        assertThat(e.getMessage()).contains("GET http://localhost:").contains("3 attempts").contains("60 s")
                .contains("http.call.deadline");
    }

    @Test
    void aRetryAfterThatWouldPassTheCallDeadlineIsNotWaited() {
        crm.stubFor(get("/contacts").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "50")));
        RetryPolicy patient = EXACT_BACKOFF.toBuilder().maxRetryAfter(Duration.ofMinutes(5)).build();

        IOException e = catchThrowableOfType(IOException.class,
                () -> client(patient, Duration.ofSeconds(30)).newCall(request("/contacts").build()).execute());

        assertThat(e).isInstanceOf(DeadlineExceededException.class);
        assertThat(((DeadlineExceededException) e).retryAfter()).hasValue(Duration.ofSeconds(50));
        assertThat(sleeper.sleeps()).isEmpty();
        crm.verify(1, getRequestedFor(urlEqualTo("/contacts")));
    }

    @Test
    void aConnectionFailureIsNotRetriedPastTheCallDeadline() {
        crm.stubFor(get("/contacts").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        RetryPolicy slow = RetryPolicy.builder().maxAttempts(10).initialBackoff(Duration.ofSeconds(20))
                .maxBackoff(Duration.ofSeconds(20)).jitter(false).build();

        IOException e = catchThrowableOfType(IOException.class,
                () -> client(slow, Duration.ofSeconds(30)).newCall(request("/contacts").build()).execute());

        assertThat(e).isInstanceOf(DeadlineExceededException.class).hasCauseInstanceOf(IOException.class);
        assertThat(((DeadlineExceededException) e).attempts()).isEqualTo(2);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(20));
    }

    @Test
    void eachAttemptsTimeoutsAreCutToWhatIsLeftOfTheCallDeadline() throws IOException {
        crm.stubFor(get("/contacts").inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        crm.stubFor(get("/contacts").inScenario("flaky").whenScenarioStateIs("up").willReturn(ok()));
        List<Integer> readTimeouts = new ArrayList<>();
        List<Integer> connectTimeouts = new ArrayList<>();
        RetryPolicy twoSeconds = EXACT_BACKOFF.toBuilder().initialBackoff(Duration.ofSeconds(2))
                .maxBackoff(Duration.ofSeconds(2)).build();
        OkHttpClient observed = client(twoSeconds, Duration.ofSeconds(20)).newBuilder().addInterceptor(chain -> {
            readTimeouts.add(chain.readTimeoutMillis());
            connectTimeouts.add(chain.connectTimeoutMillis());
            return chain.proceed(chain.request());
        }).build();

        try (Response response = observed.newCall(request("/contacts").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        // The read timeout (30 s) is cut to the 20 s left, then to the 18 s left after the 2 s wait; the
        // connect timeout (10 s) is less than either.
        assertThat(readTimeouts).containsExactly(20_000, 18_000);
        assertThat(connectTimeouts).containsExactly(10_000, 10_000);
    }

    @Test
    void aFailedTlsHandshakeIsNotRetried() {
        // A plain-HTTP server answering a TLS handshake: it fails the same way every time.
        Request https = new Request.Builder().url(crm.baseUrl().replace("http://", "https://") + "/contacts").build();

        IOException e = catchThrowableOfType(IOException.class, () -> client.newCall(https).execute());

        assertThat(ConnectionFailure.classify(e)).isEqualTo(ConnectionFailure.Kind.TLS_HANDSHAKE);
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void retriesAPostTaggedIdempotent() throws IOException {
        crm.stubFor(post("/composite/upsert").inScenario("upsert").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        crm.stubFor(post("/composite/upsert").inScenario("upsert").whenScenarioStateIs("up").willReturn(ok()));

        Request upsert = HttpClients.idempotent(request("/composite/upsert"))
                .post(RequestBody.create("{\"ExternalId\":\"42\"}", JSON))
                .build();
        try (Response response = client.newCall(upsert).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        crm.verify(2, postRequestedFor(urlEqualTo("/composite/upsert")));
    }

    @Test
    void retriesADelete() throws IOException {
        crm.stubFor(delete("/contacts/1").inScenario("del").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(502)).willSetStateTo("up"));
        crm.stubFor(delete("/contacts/1").inScenario("del").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(204)));

        try (Response response = client.newCall(request("/contacts/1").delete().build()).execute()) {
            assertThat(response.code()).isEqualTo(204);
        }
        crm.verify(2, deleteRequestedFor(urlEqualTo("/contacts/1")));
    }

    @Test
    void noRetryPolicySendsOnce() throws IOException {
        crm.stubFor(get("/contacts").willReturn(aResponse().withStatus(503)));

        try (Response response = client(RetryPolicy.none()).newCall(request("/contacts").build()).execute()) {
            assertThat(response.code()).isEqualTo(503);
        }
        crm.verify(1, getRequestedFor(urlEqualTo("/contacts")));
    }

    @Test
    void interruptionWhileWaitingThrowsInterruptedIOExceptionAndKeepsTheInterruptFlag() {
        crm.stubFor(get("/contacts").willReturn(aResponse().withStatus(503)));
        OkHttpClient interrupted = HttpClients.builder()
                .sleeper(d -> {
                    throw new InterruptedException("stop");
                })
                .retryPolicy(EXACT_BACKOFF)
                .meter(RecordingMeter::unlimited)
                .allowPlainHttp(true)
                .build();

        try {
            assertThatThrownBy(() -> interrupted.newCall(request("/contacts").build()).execute())
                    .isInstanceOf(InterruptedIOException.class)
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        crm.verify(1, getRequestedFor(urlEqualTo("/contacts")));
    }
}
