package org.crmsync.activecampaign;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.http.Fault;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the connector says when the connection fails or the answer is not ActiveCampaign's JSON. */
class ActiveCampaignHttpFailureTest {
    private final ActiveCampaignFixture f = new ActiveCampaignFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void anHtmlPageAnsweredWith200IsAnUnexpectedResponseDescribedByStatusContentTypeAndFirstBytes() {
        f.ac.answerNext(1, aResponse().withStatus(200).withHeader("Content-Type", "text/html; charset=utf-8")
                .withBody("<html>\n<body>\n  <h1>Account suspended</h1> Write to billing@school.example.edu\n</body>"
                        + "\n</html>"));

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_RESPONSE);
        assertThat(e.getMessage()).startsWith("ActiveCampaign ").contains("HTTP 200").contains("text/html")
                .contains("<html> <body> <h1>Account suspended</h1>").doesNotContain("billing@school.example.edu")
                .doesNotContain("Check the network");
    }

    @Test
    void truncatedJsonSaysWhereItBrokeWithoutJacksonsWording() {
        f.ac.answerNext(1, aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"fields\":[{\"id\":\"1\",\"title\":\"SONIS ID\"},\n{\"id\":\"2\",\"tit"));

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_RESPONSE);
        assertThat(e.getMessage()).contains("HTTP 200").contains("application/json").contains("line 2, column ")
                .contains("ends before the JSON is complete").doesNotContain("StreamReadFeature")
                .doesNotContain("Source:").doesNotContain("Check the network");
    }

    @Test
    void anUnknownHostSaysNothingWasSentAndPointsAtApiUrl() {
        f.config.put(ActiveCampaignConfig.API_URL, "http://no-such-account.invalid/api/3");

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.getMessage()).contains("no-such-account.invalid").contains("unknown host").contains("api.url")
                .contains("nothing was sent").doesNotContain("may have applied");
    }

    @Test
    void aConnectionClosedWithoutAnAnswerIsDescribedAsFailingAfterTheRequestWasSent() {
        f.config.put("http.max.attempts", "1");
        f.ac.answerNext(1, aResponse().withFault(Fault.EMPTY_RESPONSE));

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.getMessage()).contains("after the request was sent").contains(f.ac.apiUrl().replace("http://", ""))
                .doesNotContain("may have applied");
    }

    @Test
    void aRetryAfterBeyondTheCapIsRateLimitedAndSaysTheWaitTheCapAndTheSettingThatRaisesIt() {
        f.ac.answerNext(1, aResponse().withStatus(429).withHeader("Retry-After", "600")
                .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Too Many Requests\"}"));

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(e.httpStatus()).hasValue(429);
        assertThat(e.getMessage()).contains("600 s").contains("Retry-After").contains("60 s")
                .contains("http.max.retry.after");
        assertThat(f.sleeper.sleeps()).isEmpty();
    }

    @Test
    void aCallThatOutlastsItsDeadlineFailsNamingTheAttemptsAndTheDeadlineSetting() {
        f.config.put("http.call.deadline", "5s");
        f.config.put("http.max.attempts", "1000");
        f.ac.failNext(503, 10_000);

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.getMessage()).startsWith("ActiveCampaign ").contains(" attempts").contains("http.call.deadline")
                .contains("5 s").contains("HTTP 503");
        // Backoff and rate-limit waits together, on the test clock: the deadline, give or take one wait for a permit.
        assertThat(f.sleeper.total()).isLessThan(java.time.Duration.ofSeconds(6));
    }

    private CrmSyncException readFails() {
        return catchThrowableOfType(CrmSyncException.class, () -> ((org.crmsync.spi.ChangeFeed.Ready) f.connector()
                .open(new DirectContext(f.mapping, f.policy, f.clock)).readChanges(SyncCursor.start())).changes()
                .hasNext());
    }
}
