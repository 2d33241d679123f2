package org.crmsync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.Test;

class EveryActionDemoTest {
    @Test
    void theEveryActionRoundWaitsForItsExportJobSyncsBothWaysAndTheNextRoundFindsNothingNew() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Map<String, SyncReport> r = EveryActionDemo.run(new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(r.keySet()).containsExactly("1-inbound", "2-inbound-picked-up", "3-outbound", "4-inbound-again",
                "5-inbound-again-picked-up", "6-outbound-again");
        assertThat(r.get("1-inbound").status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);
        SyncReport in = r.get("2-inbound-picked-up");
        assertThat(in.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(in.count(Outcome.CREATED)).isEqualTo(36);      // of 61: opted in, in the US, with a cell phone
        assertThat(in.count(Reason.NO_MOBILE_NUMBER)).isEqualTo(7); // every tenth, and Maya Okafor
        assertThat(in.count(Reason.COUNTRY_NOT_ALLOWED)).isEqualTo(6);
        assertThat(in.count(Reason.NOT_OPTED_IN)).isEqualTo(12);
        SyncReport out = r.get("3-outbound");
        assertThat(out.count(Outcome.CREATED)).isEqualTo(4);
        assertThat(out.count(Outcome.UPDATED)).isEqualTo(3 + 1);  // the opt-outs, and Maya matched by email
        assertThat(out.count(Reason.NO_EMAIL)).isEqualTo(1);
        SyncReport again = r.get("5-inbound-again-picked-up");
        assertThat(again.recordsRead()).as("the 61 of the 48-hour look-back, not the 4 the sync created").isEqualTo(61);
        assertThat(again.count(Outcome.CREATED) + again.count(Outcome.UPDATED)).isZero();
        assertThat(r.get("6-outbound-again").count(Outcome.CREATED) + r.get("6-outbound-again").count(Outcome.UPDATED))
                .isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("EveryAction export job", "Maya Okafor is VAN ID");
    }
}
