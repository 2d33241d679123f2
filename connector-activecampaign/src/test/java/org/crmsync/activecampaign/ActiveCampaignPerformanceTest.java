package org.crmsync.activecampaign;

import static org.assertj.core.api.Assertions.assertThat;

import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a run costs in API calls and whether it keeps ActiveCampaign's rate limit, against the simulator
 * (which enforces 5 requests per second strictly: any rolling second with more than 5 gets a 429).
 * Counts are exact; nothing here is timed.
 */
class ActiveCampaignPerformanceTest {
    private final ActiveCampaignFixture f = new ActiveCampaignFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void severalHundredCallsAtTheAccountsFiveRequestsPerSecondReceiveNo429() {
        // One by one (contact/sync, then contactLists for each): a few hundred calls in one run.
        f.config.put(ActiveCampaignConfig.BULK_THRESHOLD, "1000000");
        for (int n = 1; n <= 200; n++) {
            f.student(n);
        }

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(200);
        assertThat(f.ac.totalRequests()).isGreaterThanOrEqualTo(400);
        assertThat(f.ac.throttled()).as("requests answered 429").isZero();
    }
}
