package org.crmsync.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.Test;

class SyncReportTest {
    private static final Instant STARTED = Instant.parse("2026-03-02T06:00:00Z");
    private static final Instant FINISHED = Instant.parse("2026-03-02T06:01:30.250Z");

    private static RecordResult row(String key, Outcome outcome, Reason reason, String message) {
        return new RecordResult(key, SyncDirection.INBOUND, outcome, reason, message, Optional.empty(),
                Optional.empty());
    }

    private static SyncReport.Builder builder() {
        return SyncReport.builder("nightly-sf", "salesforce", SyncDirection.INBOUND, STARTED);
    }

    private static SyncReport fullReport() {
        return builder()
                .dryRun(true)
                .cursorBefore(SyncCursor.of("since", "2026-03-01T06:00:00Z", "lastId", "003A"))
                .cursorAfter(SyncCursor.of("since", "2026-03-02T05:59:00Z"))
                .recordsRead(5)
                .apiCallsUsed(7)
                .status(RunStatus.QUOTA_REACHED, "daily API quota of 7 calls reached")
                .preflightProblem("field Opted_In__c: not writable")
                .add(new RecordResult("003A", SyncDirection.INBOUND, Outcome.CREATED, Reason.NONE, "",
                        Optional.of("L-1"), Optional.of("003A")))
                .add(new RecordResult("003B", SyncDirection.INBOUND, Outcome.UPDATED, Reason.NONE,
                        "updated profile_email", Optional.of("L-2"), Optional.of("003B")))
                .add(new RecordResult("003C", SyncDirection.INBOUND, Outcome.SKIPPED, Reason.NO_MOBILE_NUMBER,
                        "phone_number: \"not a number\", line 4", Optional.empty(), Optional.of("003C")))
                .add(new RecordResult("003D", SyncDirection.INBOUND, Outcome.SKIPPED, Reason.NO_MOBILE_NUMBER,
                        "no phone", Optional.empty(), Optional.of("003D")))
                .add(new RecordResult("L-9", SyncDirection.OUTBOUND, Outcome.DEFERRED, Reason.QUOTA_REACHED,
                        "", Optional.of("L-9"), Optional.empty()))
                .finish(FINISHED);
    }

    @Test
    void countsEveryOutcomeIncludingZeros() {
        SyncReport r = fullReport();

        assertThat(r.outcomeCounts()).containsExactly(
                Map.entry(Outcome.CREATED, 1L),
                Map.entry(Outcome.UPDATED, 1L),
                Map.entry(Outcome.NO_DIFFERENCE, 0L),
                Map.entry(Outcome.SKIPPED, 2L),
                Map.entry(Outcome.DEFERRED, 1L),
                Map.entry(Outcome.FAILED, 0L));
        assertThat(r.count(Outcome.SKIPPED)).isEqualTo(2);
        assertThat(r.count(Outcome.FAILED)).isZero();
    }

    @Test
    void countsTheReasonsThatOccurred() {
        SyncReport r = fullReport();

        assertThat(r.reasonCounts()).containsExactly(
                Map.entry(Reason.NONE, 2L),
                Map.entry(Reason.NO_MOBILE_NUMBER, 2L),
                Map.entry(Reason.QUOTA_REACHED, 1L));
        assertThat(r.count(Reason.NO_MOBILE_NUMBER)).isEqualTo(2);
        assertThat(r.count(Reason.MULTIPLE_MATCHES)).isZero();
    }

    @Test
    void anEmptyReportHasZeroForEveryOutcome() {
        SyncReport r = builder().finish(FINISHED);

        assertThat(r.outcomeCounts()).hasSize(Outcome.values().length).containsValues(0L).doesNotContainValue(1L);
        assertThat(r.reasonCounts()).isEmpty();
        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.message()).isEmpty();
        assertThat(r.cursorBefore().isStart()).isTrue();
    }

    @Test
    void rowsCanBeFilteredByOutcomeAndFoundByKey() {
        SyncReport r = fullReport();

        assertThat(r.rows(Outcome.SKIPPED)).extracting(RecordResult::key).containsExactly("003C", "003D");
        assertThat(r.row("L-9")).hasValueSatisfying(x -> assertThat(x.reason()).isEqualTo(Reason.QUOTA_REACHED));
        assertThat(r.row("nope")).isEmpty();
    }

    @Test
    void aRecordResultRefusesAReasonThatDoesNotFitItsOutcome() {
        assertThatThrownBy(() -> row("k", Outcome.SKIPPED, Reason.NONE, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NONE").hasMessageContaining("SKIPPED");
        assertThatThrownBy(() -> row("k", Outcome.CREATED, Reason.NO_MOBILE_NUMBER, ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> row("k", Outcome.FAILED, Reason.QUOTA_REACHED, ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> row("k", Outcome.DEFERRED, Reason.PROCESSING_ERROR, ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRecordResultAcceptsEveryReasonWithTheOutcomeItFits() {
        assertThat(row("a", Outcome.NO_DIFFERENCE, Reason.NONE, "").outcome()).isEqualTo(Outcome.NO_DIFFERENCE);
        assertThat(row("b", Outcome.SKIPPED, Reason.OPT_OUT_PROTECTED, "").reason())
                .isEqualTo(Reason.OPT_OUT_PROTECTED);
        assertThat(row("c", Outcome.FAILED, Reason.VALIDATION_ERROR, "").reason()).isEqualTo(Reason.VALIDATION_ERROR);
        assertThat(row("d", Outcome.DEFERRED, Reason.QUOTA_REACHED, "").reason()).isEqualTo(Reason.QUOTA_REACHED);
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        SyncReport original = fullReport();
        StringWriter out = new StringWriter();
        original.writeJson(out);

        SyncReport read = SyncReport.readJson(new StringReader(out.toString()));

        assertThat(read.jobId()).isEqualTo("nightly-sf");
        assertThat(read.connectorId()).isEqualTo("salesforce");
        assertThat(read.direction()).isEqualTo(SyncDirection.INBOUND);
        assertThat(read.dryRun()).isTrue();
        assertThat(read.startedAt()).isEqualTo(STARTED);
        assertThat(read.finishedAt()).isEqualTo(FINISHED);
        assertThat(read.cursorBefore()).isEqualTo(original.cursorBefore());
        assertThat(read.cursorAfter()).isEqualTo(original.cursorAfter());
        assertThat(read.recordsRead()).isEqualTo(5);
        assertThat(read.apiCallsUsed()).isEqualTo(7);
        assertThat(read.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(read.message()).isEqualTo("daily API quota of 7 calls reached");
        assertThat(read.preflightProblems()).containsExactly("field Opted_In__c: not writable");
        assertThat(read.rows()).containsExactlyElementsOf(original.rows());
        assertThat(read.outcomeCounts()).isEqualTo(original.outcomeCounts());
        assertThat(read.reasonCounts()).isEqualTo(original.reasonCounts());
        assertThat(read.toJson()).isEqualTo(original.toJson());
    }

    @Test
    void jsonOfAnEmptyReportRoundTrips() {
        SyncReport original = builder().finish(FINISHED);

        SyncReport read = SyncReport.readJson(new StringReader(original.toJson()));

        assertThat(read.rows()).isEmpty();
        assertThat(read.dryRun()).isFalse();
        assertThat(read.cursorAfter().isStart()).isTrue();
        assertThat(read.toJson()).isEqualTo(original.toJson());
    }

    @Test
    void unreadableJsonIsAStorageFailure() {
        assertThatThrownBy(() -> SyncReport.readJson(new StringReader("{\"jobId\": \"x\"}")))
                .isInstanceOfSatisfying(CrmSyncException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining("could not read a saved sync report");
    }

    @Test
    void csvHasAHeaderAndOneRowPerRecord() throws IOException {
        List<CSVRecord> records = parseCsv(fullReport());

        assertThat(records.get(0).toList())
                .containsExactly("key", "direction", "outcome", "reason", "message", "local_id", "remote_id");
        assertThat(records).hasSize(6);
        assertThat(records.get(1).toList())
                .containsExactly("003A", "INBOUND", "CREATED", "NONE", "", "L-1", "003A");
        assertThat(records.get(5).toList())
                .containsExactly("L-9", "OUTBOUND", "DEFERRED", "QUOTA_REACHED", "", "L-9", "");
    }

    @Test
    void csvQuotesCellsWithCommasQuotesAndNewlines() throws IOException {
        SyncReport r = builder()
                .add(row("k1", Outcome.FAILED, Reason.VALIDATION_ERROR, "Smith, Jane"))
                .add(row("k2", Outcome.FAILED, Reason.VALIDATION_ERROR, "the \"Email\" field"))
                .add(row("k3", Outcome.FAILED, Reason.VALIDATION_ERROR, "line one\nline two"))
                .add(row("k4", Outcome.FAILED, Reason.VALIDATION_ERROR, "plain"))
                .finish(FINISHED);
        StringWriter out = new StringWriter();
        r.writeCsv(out);

        assertThat(out.toString())
                .startsWith("key,direction,outcome,reason,message,local_id,remote_id\r\n")
                .contains(",\"Smith, Jane\",")
                .contains(",\"the \"\"Email\"\" field\",")
                .contains(",\"line one\nline two\",")
                .contains(",plain,");
        List<CSVRecord> records = parseCsv(r);
        assertThat(records).extracting(rec -> rec.get(4))
                .containsExactly("message", "Smith, Jane", "the \"Email\" field", "line one\nline two", "plain");
    }

    @Test
    void csvEscapesCellsASpreadsheetWouldRunAsFormulas() throws IOException {
        SyncReport r = builder()
                .add(new RecordResult("=1+1", SyncDirection.INBOUND, Outcome.FAILED, Reason.VALIDATION_ERROR,
                        "=HYPERLINK(\"http://evil.example\",\"click\")", Optional.of("+15555550123"),
                        Optional.of("-2")))
                .add(row("@SUM(A1)", Outcome.FAILED, Reason.VALIDATION_ERROR, "\tcmd"))
                .add(row("a=b", Outcome.FAILED, Reason.VALIDATION_ERROR, "x-1"))
                .finish(FINISHED);
        StringWriter out = new StringWriter();
        r.writeCsv(out);

        assertThat(out.toString()).contains("'=1+1,").contains(",'+15555550123,'-2\r\n")
                .contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",");
        List<CSVRecord> records = parseCsv(r);
        assertThat(records.get(1).toList()).containsExactly("'=1+1", "INBOUND", "FAILED", "VALIDATION_ERROR",
                "'=HYPERLINK(\"http://evil.example\",\"click\")", "'+15555550123", "'-2");
        assertThat(records.get(2).get(0)).isEqualTo("'@SUM(A1)");
        assertThat(records.get(2).get(4)).isEqualTo("'\tcmd");
        assertThat(records.get(3).get(0)).isEqualTo("a=b");
        assertThat(records.get(3).get(4)).isEqualTo("x-1");
    }

    @Test
    void summaryMentionsStatusAndCounts() {
        String s = fullReport().summary();

        assertThat(s).startsWith("nightly-sf inbound (dry run): QUOTA_REACHED")
                .contains("5 read")
                .contains("1 created")
                .contains("1 updated")
                .contains("2 skipped")
                .contains("1 deferred")
                .contains("7 API calls")
                .contains("daily API quota of 7 calls reached")
                .doesNotContain("failed")
                .doesNotContain("no_difference");
        assertThat(fullReport().toString()).contains(s);
    }

    @Test
    void summaryOfAQuietRunSaysItCompleted() {
        SyncReport r = SyncReport.builder("day-out", "actionkit", SyncDirection.OUTBOUND, STARTED).recordsRead(0)
                .finish(FINISHED);

        assertThat(r.summary()).isEqualTo("day-out outbound: COMPLETED, 0 read, 0 API calls");
    }

    @Test
    void summaryOfARunOfOneCallSaysOneApiCall() {
        SyncReport r = SyncReport.builder("day-out", "actionkit", SyncDirection.OUTBOUND, STARTED).apiCallsUsed(1)
                .finish(FINISHED);

        assertThat(r.summary()).isEqualTo("day-out outbound: COMPLETED, 0 read, 1 API call");
    }

    @Test
    void aReportOfManyRowsKeepsTheFirstOnesAndCountsThemAllAlsoAfterBeingSavedAndRead() {
        SyncReport.Builder b = SyncReport.builder("big", "fake", SyncDirection.INBOUND, STARTED).keepRows(100);
        for (int i = 0; i < 5_000; i++) {
            b.add(new RecordResult("A" + i, SyncDirection.INBOUND, i % 5 == 0 ? Outcome.SKIPPED : Outcome.CREATED,
                    i % 5 == 0 ? Reason.NO_MOBILE_NUMBER : Reason.NONE, "", Optional.empty(), Optional.of("A" + i)));
        }

        SyncReport report = b.finish(FINISHED);
        SyncReport read = SyncReport.readJson(new java.io.StringReader(report.toJson()));

        assertThat(report.rows()).hasSize(100);
        assertThat(report.rowCount()).isEqualTo(5_000);
        assertThat(report.rowsOmitted()).isEqualTo(4_900);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(4_000);
        assertThat(report.count(Reason.NO_MOBILE_NUMBER)).isEqualTo(1_000);
        assertThat(read.rows()).hasSize(100);
        assertThat(read.rowCount()).isEqualTo(5_000);
        assertThat(read.count(Outcome.CREATED)).isEqualTo(4_000);
        assertThat(read.count(Reason.NO_MOBILE_NUMBER)).isEqualTo(1_000);
    }

    @Test
    void aCsvSinkWritesEveryRowFormulaSafeWithTheReportsColumns() throws IOException {
        StringWriter out = new StringWriter();
        ReportSink sink = ReportSink.csv(out);
        sink.accept(new RecordResult("=1+1", SyncDirection.OUTBOUND, Outcome.CREATED, Reason.NONE, "a, b",
                Optional.of("L1"), Optional.of("C1")));
        sink.flush();

        try (CSVParser parser = CSVParser.parse(out.toString(), CSVFormat.RFC4180)) {
            List<CSVRecord> records = parser.getRecords();
            assertThat(records.get(0).get(0)).isEqualTo("key");
            assertThat(records.get(1).get(0)).isEqualTo("'=1+1");
            assertThat(records.get(1).get(4)).isEqualTo("a, b");
        }
    }

    private static List<CSVRecord> parseCsv(SyncReport report) throws IOException {
        StringWriter out = new StringWriter();
        report.writeCsv(out);
        try (CSVParser parser = CSVParser.parse(out.toString(), CSVFormat.RFC4180)) {
            return parser.getRecords();
        }
    }
}
