package org.crmsync.activecampaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.spi.ConnectorSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rate limit, retries and lookups as ActiveCampaign answers them. */
class ActiveCampaignHttpTest {
    private final ActiveCampaignFixture f = new ActiveCampaignFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aRateAboveActiveCampaignsLimitIsAnswered429AndRetriedAfterRetryAfter() {
        f.config.put(ActiveCampaignConfig.RATE_LIMIT, "50");
        f.config.put(ActiveCampaignConfig.BULK_THRESHOLD, "100");
        for (int n = 1; n <= 6; n++) {
            f.student(n);
        }

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(6);
        assertThat(f.ac.throttled()).isPositive();
        assertThat(f.sleeper.sleeps()).contains(Duration.ofSeconds(1)); // Retry-After: 1
        assertThat(f.ac.contactCount()).isEqualTo(6);
    }

    @Test
    void theConfiguredRateSpacesRequestsThroughTheInjectedSleeper() {
        for (int n = 1; n <= 6; n++) {
            f.student(n);
        }

        f.export();

        assertThat(f.ac.throttled()).isZero();
        // 5 per second configured, kept 10% under: 4.5, one every 222.2 ms, waited as 223.
        assertThat(f.sleeper.sleeps()).contains(Duration.ofMillis(223));
    }

    @Test
    void oneConnectorInstanceKeepsEveryRunItServesUnderTheRateItIsGiven() {
        String contact = f.ac.addContact("web@example.org", "Wen", "Bo");
        Connector account = f.connector();
        ConnectorSession first = account.open(new DirectContext(f.mapping, f.policy, f.clock));
        ConnectorSession second = account.open(new DirectContext(f.mapping, f.policy, f.clock));

        for (int i = 0; i < 10; i++) {
            first.read(List.of(contact));
            second.read(List.of(contact));
        }

        // The two runs share the instance's limiter: evenly spaced, under 5 a second, never refused.
        assertThat(f.ac.throttled()).isZero();
        assertThat(f.sleeper.sleeps()).contains(Duration.ofMillis(223));
    }

    @Test
    void twoConnectorInstancesForOneAccountCountOnlyTheirOwnRequestsAndTogetherExceedItsLimit() {
        String contact = f.ac.addContact("web@example.org", "Wen", "Bo");
        try (Connector other = ConnectorRegistry.load().create(ActiveCampaignConnectorProvider.ID, f.config,
                ConnectorContext.forLocalSimulator(f.clock, f.sleeper))) {
            ConnectorSession first = f.connector().open(new DirectContext(f.mapping, f.policy, f.clock));
            ConnectorSession second = other.open(new DirectContext(f.mapping, f.policy, f.clock));

            for (int i = 0; i < 10; i++) {
                first.read(List.of(contact));
                second.read(List.of(contact));
            }
        }

        // Each instance keeps under 5 a second, so the account receives about 9 and answers 429 (then retried).
        assertThat(f.ac.throttled()).isPositive();
    }

    @Test
    void serviceUnavailableIsRetried() {
        f.student(1);
        f.ac.failNext(503, 2);

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.ac.requests("GET /fields")).isEqualTo(3); // preflight's first call, which proves the token
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
    }

    @Test
    void aLargeAccountIsSearchedWithOneCallPerDistinctEmailAndPerLocalId() {
        for (int n = 0; n < 1000; n++) {
            f.ac.addContact("p" + n + "@example.org", "P" + n, "Person");
        }
        String knownByLocalId = f.ac.contactIds().get(500);
        f.ac.edit(knownByLocalId, "SONIS_ID", "S00004");
        for (int n = 1; n <= 4; n++) {
            f.student(n);
        }

        SyncReport report = f.export();

        System.out.println("ActiveCampaign export of 4 profiles into an account of 1,000 contacts: "
                + f.ac.requestCounts());
        assertThat(report.count(Outcome.CREATED)).isEqualTo(3);
        assertThat(f.contactOf("S00004")).isEqualTo(knownByLocalId);
        assertThat(f.ac.value(knownByLocalId, "email")).hasValue("student4@example.edu");
        // One page to learn the account's size, one search per email, one per local ID, one read by id,
        // and one read of the 3 new contacts to check their list status before subscribing them.
        assertThat(f.ac.requests("GET /contacts")).isEqualTo(1 + 4 + 1 + 1);
        assertThat(f.ac.requests("GET /fieldValues")).isEqualTo(4);
        assertThat(f.ac.contactCount()).isEqualTo(1003);
    }

    @Test
    void aLocalIdLookupKeepsOnlyTheExactValueAndReadsPastTheFirstHundredValues() {
        for (int n = 0; n < 1000; n++) {
            f.ac.addContact("p" + n + "@example.org", "P" + n, "Person");
        }
        List<String> ids = f.ac.contactIds();
        for (int n = 0; n < 120; n++) {
            f.ac.edit(ids.get(n), "SONIS_ID", "s00004"); // typed by hand; the filter matches regardless of case
        }
        String exact = ids.get(999);
        f.ac.edit(exact, "SONIS_ID", "S00004");
        for (int n = 1; n <= 4; n++) {
            f.student(n);
        }

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.contactOf("S00004")).isEqualTo(exact);
        assertThat(f.ac.value(ids.get(0), "email")).hasValue("p0@example.org");
        // One call each for S00001 to S00003, two pages of 100 for the 121 values like S00004.
        assertThat(f.ac.requests("GET /fieldValues")).isEqualTo(3 + 2);
        assertThat(f.ac.contactCount()).isEqualTo(1003);
    }

    @Test
    void anEmailFilterActiveCampaignIgnoredFailsTheExportInsteadOfLinkingStrangers() {
        for (int n = 0; n < 1000; n++) {
            f.ac.addContact("p" + n + "@example.org", "P" + n, "Person");
        }
        f.ac.ignoreParameter("email");
        f.student(1);

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("ignored the email filter");
        assertThat(f.ac.contactCount()).isEqualTo(1000);
    }

    @Test
    void aFieldValueFilterActiveCampaignIgnoredFailsTheExport() {
        for (int n = 0; n < 1000; n++) {
            String id = f.ac.addContact("p" + n + "@example.org", "P" + n, "Person");
            f.ac.edit(id, "SONIS_ID", "X" + n);
        }
        f.ac.ignoreParameter("filters[val]");
        f.student(1);

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("ignored the filters of GET fieldValues");
    }
}
