package org.crmsync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoSyncTest {
    @TempDir
    Path work;

    @Test
    void theDemoSyncsBothWaysSkipsWhatItMustAndASecondRunFindsNothingNewToSend() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<SyncReport> reports = DemoSync.run(work, 600, new PrintStream(printed, true, StandardCharsets.UTF_8));

        SyncReport inbound = reports.get(0);
        assertThat(inbound.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(inbound.count(Outcome.CREATED)).isPositive();
        assertThat(inbound.count(Reason.NO_MOBILE_NUMBER)).isPositive();
        assertThat(inbound.count(Reason.COUNTRY_NOT_ALLOWED)).isPositive();
        assertThat(inbound.count(Reason.NOT_OPTED_IN)).isPositive();
        SyncReport outbound = reports.get(1);
        assertThat(outbound.count(Outcome.CREATED)).isEqualTo(40);
        assertThat(outbound.count(Outcome.UPDATED)).isEqualTo(25);
        assertThat(reports.get(2).count(Outcome.CREATED) + reports.get(2).count(Outcome.UPDATED)).isZero();
        assertThat(reports.get(3).rows()).isEmpty();
        assertThat(Files.readString(work.resolve("reports/1-inbound.csv"))).startsWith("key,direction,outcome");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("first skipped records", "full report:");
    }

    @Test
    void theBenchmarkPrintsItsFigures() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        double[] figures = EngineBenchmark.run(1_000, new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("records/s", "API calls per 1,000");
        assertThat(figures[2]).isEqualTo(11.0); // 5 lookups + 5 writes of 200 + the preflight, per 1,000
    }
}
