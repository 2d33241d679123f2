package org.crmsync.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.junit.jupiter.api.Test;

class ExportFileReaderTest {

    private static ExportFileReader open(String content) {
        return ExportFileReader.builder().source("export.csv").input(new StringReader(content)).open();
    }

    private static List<ExportRow> readAll(ExportFileReader reader) {
        try (reader) {
            List<ExportRow> rows = new ArrayList<>();
            reader.forEach(rows::add);
            return rows;
        }
    }

    @Test
    void readsHeadingsAndValuesInColumnOrder() {
        List<ExportRow> rows = readAll(open("Contact ID,First Name,Email\n003A,Ada,ada@example.org\n003B,Bob,bob@example.org\n"));

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).values())
                .containsExactly(entry("Contact ID", "003A"), entry("First Name", "Ada"), entry("Email", "ada@example.org"));
        assertThat(rows.get(1).get("Email")).contains("bob@example.org");
        assertThat(rows.get(1).lineNumber()).isEqualTo(3);
        assertThat(rows.get(1).location()).isEqualTo("export.csv line 3");
        assertThat(rows.get(1).problem()).isEmpty();
    }

    @Test
    void stripsUtf8ByteOrderMarkFromInputStream() {
        byte[] bytes = "\uFEFFContact ID,Email\n003A,ada@example.org\n".getBytes(StandardCharsets.UTF_8);
        try (ExportFileReader reader = ExportFileReader.builder()
                .source("bom.csv")
                .input(new ByteArrayInputStream(bytes))
                .requiredHeadings("Contact ID")
                .open()) {
            assertThat(reader.headings()).containsExactly("Contact ID", "Email");
            assertThat(reader.stream().map(r -> r.get("Contact ID").orElseThrow())).containsExactly("003A");
        }
    }

    @Test
    void decodesTheGivenCharset() {
        byte[] bytes = "Name,City\nJos\u00e9,Z\u00fcrich\n".getBytes(StandardCharsets.ISO_8859_1);
        try (ExportFileReader reader = ExportFileReader.builder()
                .source("latin1.csv")
                .input(new ByteArrayInputStream(bytes))
                .charset(StandardCharsets.ISO_8859_1)
                .open()) {
            assertThat(reader.stream().map(r -> r.get("City").orElseThrow())).containsExactly("Z\u00fcrich");
        }
    }

    @Test
    void bytesNotValidInTheCharsetAreAnErrorNamingTheLineOfTheBadRecord() {
        StringBuilder csv = new StringBuilder("Name,City\n");
        for (int i = 0; i < 5_000; i++) {
            csv.append("Ren\u00e9e,Z\u00fcrich\n"); // valid UTF-8 and ISO-8859-1 alike
        }
        byte[] good = csv.toString().getBytes(StandardCharsets.UTF_8);
        byte[] bad = "Jos\u00e9,Paris\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = Arrays.copyOf(good, good.length + bad.length);
        System.arraycopy(bad, 0, bytes, good.length, bad.length);
        ExportFileReader reader =
                ExportFileReader.builder().source("mixed.csv").input(new ByteArrayInputStream(bytes)).open();
        List<ExportRow> read = new ArrayList<>();

        assertThatThrownBy(() -> {
                    try (reader) {
                        reader.forEach(read::add);
                    }
                })
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageStartingWith("mixed.csv line 5002: the record starting on this line has bytes that are not valid UTF-8");
        assertThat(read).hasSize(5_000);
        assertThat(read.get(4_999).get("City")).contains("Z\u00fcrich");
    }

    @Test
    void acceptsCrlfLineEnds() {
        List<ExportRow> rows = readAll(open("Id,Email\r\n1,a@example.org\r\n2,b@example.org\r\n"));

        assertThat(rows).extracting(ExportRow::lineNumber).containsExactly(2L, 3L);
        assertThat(rows.get(0).get("Email")).contains("a@example.org");
        assertThat(rows.get(1).get("Email")).contains("b@example.org");
    }

    @Test
    void trimsHeadingsButKeepsValuesVerbatim() {
        List<ExportRow> rows = readAll(open(" Id , Note \n1, two words \n"));

        assertThat(rows.get(0).values()).containsExactly(entry("Id", "1"), entry("Note", " two words "));
    }

    @Test
    void readsQuotedValuesWithDelimitersLineBreaksAndDoubledQuotes() {
        String csv = "Id,Name,Note\r\n"
                + "1,\"Smith, Ada\",\"first line\r\nsecond line\"\r\n"
                + "2,\"Bob \"\"the builder\"\"\",\"a\n\nb\"\r\n"
                + "3,Cy,plain\r\n";

        List<ExportRow> rows = readAll(open(csv));

        assertThat(rows).extracting(ExportRow::lineNumber).containsExactly(2L, 4L, 7L);
        assertThat(rows.get(0).get("Name")).contains("Smith, Ada");
        assertThat(rows.get(0).get("Note")).contains("first line\r\nsecond line");
        assertThat(rows.get(1).get("Name")).contains("Bob \"the builder\"");
        assertThat(rows.get(1).get("Note")).contains("a\n\nb");
        assertThat(rows.get(2).location()).isEqualTo("export.csv line 7");
    }

    @Test
    void emptyFileIsAnErrorAskingForAHeaderRow() {
        assertThatThrownBy(() -> ExportFileReader.builder()
                        .source("empty.csv")
                        .input(new StringReader(""))
                        .requiredHeadings("Contact ID")
                        .open())
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageStartingWith("empty.csv: the file is empty; expected a header row with")
                .hasMessageContaining("\"Contact ID\"");
    }

    @Test
    void fileOfOnlyBlankLinesIsEmpty() {
        assertThatThrownBy(() -> open("\n\r\n   \n"))
                .isInstanceOf(CrmSyncException.class)
                .hasMessageStartingWith("export.csv: the file is empty");
    }

    @Test
    void missingRequiredHeadingIsNamedWithTheHeadingsFound() {
        assertThatThrownBy(() -> ExportFileReader.builder()
                        .source("Salesforce export https://example.my.salesforce.com/00O5e000001abcd")
                        .input(new StringReader("First Name,Email\nAda,ada@example.org\n"))
                        .requiredHeadings("Contact ID", "Email", "Mobile")
                        .open())
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageContaining("Salesforce export https://example.my.salesforce.com/00O5e000001abcd line 1")
                .hasMessageContaining("no \"Contact ID\", \"Mobile\" columns")
                .hasMessageContaining("headings found: \"First Name\", \"Email\"");
    }

    @Test
    void everyCsvHeadingOfTheMappingIsRequiredAndAMissingOneIsNamedWithItsFieldAndTheHeadingsFound() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(FieldRule.builder("phone_number").apiName("MobilePhone").csvHeading("Mobile").build())
                .rule(FieldRule.builder("opt_in_status").apiName("Mobile_Subscriber__c").csvHeading("Mobile Subscriber")
                        .build())
                .rule(FieldRule.builder("profile_email").apiName("Email").csvHeading("Email").build())
                .rule(FieldRule.builder("address_city").apiName("MailingCity").build()) // API only: not required
                .build();

        assertThatThrownBy(() -> ExportFileReader.builder().source("report.csv")
                        .input(new StringReader("Contact ID,Mobile Phone,Email,mobile subscriber\n"
                                + "003A,4155552671,ada@example.org,1\n"))
                        .requiredHeadings("Contact ID").mappedHeadings(mapping).open())
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageStartingWith("report.csv line 1: the header has no \"Mobile\" (phone_number),"
                        + " \"Mobile Subscriber\" (opt_in_status) columns;")
                .hasMessageContaining("headings found: \"Contact ID\", \"Mobile Phone\", \"Email\", \"mobile subscriber\"")
                .hasMessageContaining("\"mobile subscriber\" differs from \"Mobile Subscriber\" only in case")
                .hasMessageContaining("set the field mapping's CSV headings to the file's")
                .message().doesNotContain("MailingCity").doesNotContain("ada@example.org");

        try (ExportFileReader reader = ExportFileReader.builder().source("report.csv")
                .input(new StringReader("Contact ID,Mobile,Email,Mobile Subscriber\n003A,4155552671,ada@example.org,1\n"))
                .requiredHeadings("Contact ID").mappedHeadings(mapping).open()) {
            assertThat(reader.stream().map(r -> r.get("Mobile Subscriber").orElseThrow())).containsExactly("1");
        }
    }

    @Test
    void missingHeadingInASingleColumnHeaderHintsAtTheDelimiter() {
        assertThatThrownBy(() -> ExportFileReader.builder()
                        .source("luminate.csv")
                        .input(new StringReader("CONS_ID;EMAIL\n1;a@example.org\n"))
                        .requiredHeadings("CONS_ID")
                        .open())
                .isInstanceOf(CrmSyncException.class)
                .hasMessageContaining("check the delimiter");
    }

    @Test
    void otherDelimiterIsHonoured() {
        try (ExportFileReader reader = ExportFileReader.builder()
                .source("luminate.csv")
                .input(new StringReader("CONS_ID\tEMAIL\n1\ta@example.org\n"))
                .delimiter('\t')
                .requiredHeadings("CONS_ID")
                .open()) {
            assertThat(reader.stream().map(r -> r.get("EMAIL").orElseThrow())).containsExactly("a@example.org");
        }
    }

    @Test
    void duplicateHeadingsAreNamed() {
        assertThatThrownBy(() -> open("Id,Email,Name,Email\n1,a,b,c\n"))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageContaining("export.csv line 1")
                .hasMessageContaining("duplicate headings \"Email\"");
    }

    @Test
    void unbalancedQuoteNamesTheLineWhereTheBadRecordStarts() {
        ExportFileReader reader = open("Id,Name\n1,Ada\n2,\"Bob\n3,Cy\n4,Di\n");
        List<String> read = new ArrayList<>();

        assertThatThrownBy(() -> {
                    try (reader) {
                        reader.forEach(r -> read.add(r.get("Id").orElseThrow()));
                    }
                })
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageStartingWith("export.csv line 3: a quoted value starting on this line is never closed");
        assertThat(read).containsExactly("1");
    }

    @Test
    void unbalancedQuoteInTheHeaderIsAnError() {
        assertThatThrownBy(() -> open("Id,\"Name\n1,Ada\n"))
                .isInstanceOf(CrmSyncException.class)
                .hasMessageStartingWith("export.csv line 1: a quoted value");
    }

    @Test
    void rowWithExtraValuesCarriesAProblemAndLaterRowsAreStillRead() {
        String csv = "Id,First,Last,Email,Phone\n"
                + "1,Ada,Lovelace,ada@example.org,4155552671\n"
                + "2,Bob,Smith, Jr.,bob@example.org,4155552672\n"
                + "3,Cy,Young,cy@example.org,4155552673\n";

        List<ExportRow> rows = readAll(open(csv));

        assertThat(rows).extracting(r -> r.get("Id").orElseThrow()).containsExactly("1", "2", "3");
        assertThat(rows.get(1).problem()).contains("the record has 6 values but the header has 5 columns; a delimiter"
                + " inside an unquoted value may have shifted them");
        assertThat(rows.get(0).problem()).isEmpty();
        assertThat(rows.get(2).problem()).isEmpty();
        assertThat(rows.get(2).get("Email")).contains("cy@example.org");
    }

    @Test
    void aRowProblemReportedAtItsLocationNamesTheFileAndLineOnce() {
        List<ExportRow> rows = readAll(open("Id,First,Last\n1,Ada,Lovelace\n2,Bob,Smith,Jr.\n"));

        // As the engine reports a malformed record: its location, then its problem.
        String message = rows.get(1).location() + ": " + rows.get(1).problem().orElseThrow();

        assertThat(message).startsWith("export.csv line 3: ");
        assertThat(message.split("line ", -1)).hasSize(2);
        assertThat(message.split("export.csv", -1)).hasSize(2);
    }

    @Test
    void rowWithFewerValuesHasTheRestEmpty() {
        List<ExportRow> rows = readAll(open("Id,Email,Phone,City\n1,a@example.org\n"));

        assertThat(rows.get(0).problem()).isEmpty();
        assertThat(rows.get(0).get("Phone")).isEmpty();
        assertThat(rows.get(0).get("City")).isEmpty();
        assertThat(rows.get(0).values()).containsOnlyKeys("Id", "Email");
    }

    @Test
    void blankValuesAndUnknownHeadingsAreEmpty() {
        List<ExportRow> rows = readAll(open("Id,Email,Phone\n1,  ,\"\"\n"));

        assertThat(rows.get(0).get("Email")).isEmpty();
        assertThat(rows.get(0).get("Phone")).isEmpty();
        assertThat(rows.get(0).get("No Such Column")).isEmpty();
        assertThat(rows.get(0).values()).containsOnlyKeys("Id");
    }

    @Test
    void blankLinesAreSkippedAndLineNumbersCountThem() {
        List<ExportRow> rows = readAll(open("\nId,Email\n\n1,a@example.org\r\n   \n,\n2,b@example.org\n\n"));

        assertThat(rows).extracting(ExportRow::lineNumber).containsExactly(4L, 7L);
    }

    @Test
    void columnsWithABlankHeadingAreIgnored() {
        List<ExportRow> rows = readAll(open("Id,Email,\n1,a@example.org,\n2,b@example.org,junk\n"));

        assertThat(rows.get(0).values()).containsExactly(entry("Id", "1"), entry("Email", "a@example.org"));
        assertThat(rows.get(1).values()).containsExactly(entry("Id", "2"), entry("Email", "b@example.org"));
        assertThat(rows.get(1).problem()).isEmpty();
    }

    /** A trailer convention of some export: {@code #END} ends the data, {@code #?} rows wait for the next row. */
    private static final RowFilter.Factory TRAILER = headings -> (row, afterBlankLine) ->
            row.get(headings.get(0)).filter("#END"::equals).isPresent() ? RowFilter.Verdict.END
                    : row.get(headings.get(0)).filter(v -> v.startsWith("#?")).isPresent() ? RowFilter.Verdict.HOLD
                    : RowFilter.Verdict.DATA;

    @Test
    void aRowFilterEndsTheDataAndNothingAfterItIsReadEvenMalformedCsv() {
        String csv = "Id,Email\n1,a@x.org\n#END\n\"unterminated\n";
        try (ExportFileReader reader = ExportFileReader.builder().source("f.csv").input(new StringReader(csv))
                .rowFilter(TRAILER).open()) {
            assertThat(reader.stream().map(ExportRow::lineNumber)).containsExactly(2L);
        }
    }

    @Test
    void rowsAFilterHoldsAreDataWhenADataRowOrTheEndOfTheFileFollowsAndDroppedWhenTheEndFollows() {
        String kept = "Id,Email\n1,a@x.org\n#?1\n2,b@x.org\n#?2\n";
        String dropped = "Id,Email\n1,a@x.org\n#?1\n#?2\n#END\n";
        try (ExportFileReader reader = ExportFileReader.builder().source("f.csv").input(new StringReader(kept))
                .rowFilter(TRAILER).open()) {
            assertThat(reader.stream().map(r -> r.get("Id").orElseThrow())).containsExactly("1", "#?1", "2", "#?2");
        }
        try (ExportFileReader reader = ExportFileReader.builder().source("f.csv").input(new StringReader(dropped))
                .rowFilter(TRAILER).open()) {
            assertThat(reader.stream().map(r -> r.get("Id").orElseThrow())).containsExactly("1");
        }
    }

    @Test
    void readsALargeGeneratedFileLazily() {
        int rows = 200_000;
        GeneratedExport input = new GeneratedExport(rows);
        long count;
        long lastLine;
        try (ExportFileReader reader = ExportFileReader.builder()
                .source("generated.csv")
                .input(input)
                .requiredHeadings("Id", "Email")
                .open()) {
            assertThat(input.rowsProduced).isLessThan(1_000);
            long[] last = new long[1];
            count = reader.stream()
                    .peek(r -> last[0] = r.lineNumber())
                    .filter(r -> r.get("Email").orElseThrow().endsWith("@example.org"))
                    .count();
            lastLine = last[0];
        }
        assertThat(count).isEqualTo(rows);
        // Header on line 1; every 1,000th row has a value spanning two lines (200 in all).
        assertThat(lastLine).isEqualTo(1L + rows + 200);
        assertThat(input.closed).isTrue();
    }

    @Test
    void streamIsReadLazily() {
        GeneratedExport input = new GeneratedExport(200_000);
        try (ExportFileReader reader = ExportFileReader.builder().source("generated.csv").input(input).open();
                Stream<ExportRow> stream = reader.stream()) {
            List<String> firstThree =
                    stream.limit(3).map(r -> r.get("Id").orElseThrow()).collect(Collectors.toList());

            assertThat(firstThree).containsExactly("0", "1", "2");
            assertThat(input.rowsProduced).isLessThan(1_000);
        }
    }

    @Test
    void recordsCanBeReadOnlyOnce() {
        try (ExportFileReader reader = open("Id\n1\n")) {
            assertThat(reader.iterator().next().get("Id")).contains("1");
            assertThatThrownBy(reader::iterator).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void closingClosesTheInput() throws IOException {
        GeneratedExport input = new GeneratedExport(10);
        ExportFileReader reader = ExportFileReader.builder().source("generated.csv").input(input).open();

        reader.close();

        assertThat(input.closed).isTrue();
        assertThatThrownBy(reader::iterator).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void failingToOpenClosesTheInput() {
        ClosingTrackingStream input = new ClosingTrackingStream(new byte[0]);

        assertThatThrownBy(() -> ExportFileReader.builder().source("empty.csv").input(input).open())
                .isInstanceOf(CrmSyncException.class);
        assertThat(input.closed).isTrue();
    }

    @Test
    void builderReportsEveryBadSetting() {
        assertThatThrownBy(() -> ExportFileReader.builder().delimiter('"').requiredHeadings(" Id").open())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source name is required")
                .hasMessageContaining("exactly one input")
                .hasMessageContaining("delimiter")
                .hasMessageContaining("required heading \" Id\"");
    }

    @Test
    void rowToStringNamesTheRecordButNotItsValues() {
        List<ExportRow> rows = readAll(open("Id,Email\n1,ada@example.org\n"));

        assertThat(rows.get(0).toString()).contains("export.csv line 2").doesNotContain("ada@example.org");
    }

    /** A CSV export produced on the fly, row by row, so the test never holds the file. */
    private static final class GeneratedExport extends Reader {
        private final int rows;
        private int rowsProduced;
        private boolean closed;
        private String pending = "Id,Email,Note\r\n";
        private int position;

        GeneratedExport(int rows) {
            this.rows = rows;
        }

        @Override
        public int read(char[] buffer, int offset, int length) {
            if (position == pending.length()) {
                if (rowsProduced == rows) {
                    return -1;
                }
                int n = rowsProduced++;
                pending = n % 1000 == 0
                        ? n + ",user" + n + "@example.org,\"a note, with\nline break\"\r\n"
                        : n + ",user" + n + "@example.org,plain\r\n";
                position = 0;
            }
            int count = Math.min(length, pending.length() - position);
            pending.getChars(position, position + count, buffer, offset);
            position += count;
            return count;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final class ClosingTrackingStream extends ByteArrayInputStream {
        private boolean closed;

        ClosingTrackingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
