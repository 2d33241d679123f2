package org.crmsync.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoSyncTest {
    @TempDir
    Path dir;

    @Test
    void theDemoSyncsSalesforceAndActiveCampaignAndASecondRoundFindsNothingNewToDo() throws Exception {
        Path work = dir.resolve("demo");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Map<String, SyncReport> reports = DemoSync.run(work, 240, new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(reports.keySet()).containsExactly("1-salesforce-inbound", "2-salesforce-outbound",
                "3-activecampaign-import", "4-activecampaign-export", "5-salesforce-inbound-again",
                "6-salesforce-outbound-again", "7-activecampaign-import-again", "8-activecampaign-export-again");
        assertThat(reports.values()).allSatisfy(r -> assertThat(r.status()).isEqualTo(RunStatus.COMPLETED));

        // 240 contacts: 20 of each kind the sync must skip, each with its reason.
        SyncReport sfInbound = reports.get("1-salesforce-inbound");
        assertThat(sfInbound.recordsRead()).isEqualTo(240);
        assertThat(sfInbound.count(Outcome.CREATED)).isEqualTo(140);
        assertThat(sfInbound.count(Reason.NO_MOBILE_NUMBER)).isEqualTo(40);   // none, a landline, an invalid one
        assertThat(sfInbound.count(Reason.COUNTRY_NOT_ALLOWED)).isEqualTo(20);
        assertThat(sfInbound.count(Reason.NOT_OPTED_IN)).isEqualTo(20);
        assertThat(sfInbound.count(Reason.LINKED_TO_OTHER_RECORD)).isEqualTo(20);   // the same person twice
        assertThat(sfInbound.rows(Outcome.SKIPPED)).extracting(RecordResult::message)
                .anySatisfy(m -> assertThat(m).containsIgnoringCase("landline"));

        SyncReport sfOutbound = reports.get("2-salesforce-outbound");
        assertThat(sfOutbound.count(Outcome.CREATED)).isEqualTo(DemoSync.WEB_SIGNUPS);
        assertThat(sfOutbound.count(Outcome.UPDATED)).isEqualTo(DemoSync.OPT_OUTS);
        assertThat(sfOutbound.count(Reason.NO_EMAIL)).isEqualTo(1);
        assertThat(sfOutbound.count(Reason.CRM_REQUIRED_FIELD_MISSING)).isEqualTo(1);

        SyncReport acImport = reports.get("3-activecampaign-import");
        assertThat(acImport.count(Outcome.CREATED)).isEqualTo(DemoSync.AC_SIGNUPS - 1);
        assertThat(acImport.count(Reason.UNSUBSCRIBED)).isEqualTo(1);
        SyncReport acExport = reports.get("4-activecampaign-export");
        assertThat(acExport.count(Outcome.CREATED)).isEqualTo(80 - 1);            // every student with an email
        assertThat(acExport.count(Reason.CRM_REQUIRED_FIELD_MISSING)).isEqualTo(1);
        assertThat(acExport.count(Outcome.UPDATED)).isEqualTo(DemoSync.AC_SIGNUPS - 1);   // prospects get their ID

        List<SyncReport> secondRound = reports.values().stream().skip(4).toList();
        assertThat(secondRound).allSatisfy(r -> {
            assertThat(r.count(Outcome.CREATED)).as(r.jobId()).isZero();
            assertThat(r.count(Outcome.UPDATED)).as(r.jobId()).isZero();
            assertThat(r.count(Outcome.FAILED)).as(r.jobId()).isZero();
        });
        assertThat(reports.get("6-salesforce-outbound-again").rows()).isEmpty();

        for (String name : reports.keySet()) {
            assertThat(work.resolve("reports/" + name + ".json")).isNotEmptyFile();
            assertThat(Files.readString(work.resolve("reports/" + name + ".csv"))).startsWith("key,direction,outcome");
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("first skipped records", "full report:",
                "nothing new to do", work.resolve("reports").toString());
    }

    @Test
    void theDemoEmptiesOnlyAFolderItMadeItself() throws Exception {
        Path work = dir.resolve("demo");
        DemoSync.prepareWorkFolder(work);
        Files.writeString(work.resolve("old-report.csv"), "x");
        DemoSync.prepareWorkFolder(work);
        assertThat(work.resolve("old-report.csv")).doesNotExist();

        Path someoneElses = Files.createDirectories(dir.resolve("documents"));
        Files.writeString(someoneElses.resolve("letter.txt"), "keep me");
        assertThatThrownBy(() -> DemoSync.prepareWorkFolder(someoneElses)).hasMessageContaining("not made by this demo");
        assertThat(someoneElses.resolve("letter.txt")).hasContent("keep me");
    }

    @Test
    void theBenchmarkPrintsItsFigures() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        double[] figures = EngineBenchmark.run(1_000, new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("records/s", "API calls per 1,000");
        assertThat(figures[2]).isEqualTo(11.0); // 5 lookups + 5 writes of 200 + the preflight, per 1,000
    }
}
