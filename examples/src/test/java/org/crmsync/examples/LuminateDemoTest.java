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

class LuminateDemoTest {
    @Test
    void theLuminateRoundWaitsForTonightsFileSyncsBothWaysPostsAGiftAndACallAndTheNextRoundFindsNothingNew() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Map<String, SyncReport> r = LuminateDemo.run(new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(r.keySet()).containsExactly("1-inbound", "2-inbound", "3-outbound", "4-activities",
                "5-inbound-again", "6-outbound-again");
        assertThat(r.get("1-inbound").status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);
        SyncReport in = r.get("2-inbound");
        assertThat(in.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(in.count(Outcome.CREATED)).isEqualTo(28);       // of 41: opted in, with a mobile number
        assertThat(in.count(Reason.NO_MOBILE_NUMBER)).isEqualTo(5); // every tenth, and Maya Okafor
        assertThat(in.count(Reason.NOT_OPTED_IN)).isEqualTo(8);
        SyncReport out = r.get("3-outbound");
        assertThat(out.count(Outcome.CREATED)).isEqualTo(4);
        assertThat(out.count(Outcome.UPDATED)).isEqualTo(3 + 1);   // the opt-outs, and Maya linked by her email
        assertThat(out.count(Reason.NO_EMAIL)).isEqualTo(1);
        assertThat(r.get("4-activities").count(Outcome.CREATED)).isEqualTo(2);
        SyncReport again = r.get("5-inbound-again");
        assertThat(again.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(again.count(Outcome.CREATED) + again.count(Outcome.UPDATED)).isZero();
        SyncReport outAgain = r.get("6-outbound-again");
        assertThat(outAgain.count(Outcome.CREATED) + outAgain.count(Outcome.UPDATED)).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("changed-records file",
                "Maya Okafor is constituent", "1 gift(s), 1 call(s)");
    }
}
