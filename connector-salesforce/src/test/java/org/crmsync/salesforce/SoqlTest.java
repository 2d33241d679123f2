package org.crmsync.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.Test;

class SoqlTest {
    @Test
    void stringLiteralsEscapeQuotesBackslashesAndLineBreaks() {
        assertThat(Soql.quote("o'brien@example.org")).isEqualTo("'o\\'brien@example.org'");
        assertThat(Soql.quote("a\\b")).isEqualTo("'a\\\\b'");
        assertThat(Soql.quote("x' OR Id != '")).isEqualTo("'x\\' OR Id != \\''");
        assertThat(Soql.quote("line\nbreak\t\"q\"")).isEqualTo("'line\\nbreak\\t\\\"q\\\"'");
    }

    @Test
    void escapedLiteralsReadBackAsTheOriginalValue() {
        String tricky = "o'brien\\x\"y\nz";
        SimulatedSoql.Query q = SimulatedSoql.parse("SELECT Id FROM Contact WHERE Email = " + Soql.quote(tricky),
                name -> java.util.Optional.of(new SimulatedSoql.FieldInfo(
                        name.equalsIgnoreCase("Id") ? "Id" : "Email", "string", true)));

        assertThat(q.where().test(Map.of("Email", tricky))).isTrue();
        assertThat(q.where().test(Map.of("Email", "o'brien"))).isFalse();
    }

    @Test
    void dateTimeLiteralsAreUnquotedUtcSeconds() {
        assertThat(Soql.dateTime(Instant.parse("2025-03-04T17:22:05.123Z"))).isEqualTo("2025-03-04T17:22:05Z");
    }

    @Test
    void fieldNamesAreChecked() {
        assertThat(Soql.isFieldName("Mobile_Subscriber__c")).isTrue();
        assertThat(Soql.isFieldName("Account.Name")).isTrue();
        assertThat(Soql.isFieldName("Email, (SELECT Id FROM Cases)")).isFalse();
    }

    @Test
    void firstReadHasNoFilterAndLaterReadsStartAfterTheCompoundCursor() {
        List<String> fields = List.of("Id", "SystemModstamp", "Email");

        assertThat(ContactQueries.changes(fields, SyncCursor.start(), Duration.ZERO))
                .isEqualTo("SELECT Id, SystemModstamp, Email FROM Contact ORDER BY SystemModstamp ASC, Id ASC");
        SyncCursor cursor = SyncCursor.of("modstamp", "2026-03-02T06:00:00Z", "id", "003000000000042AAA");
        assertThat(ContactQueries.changes(fields, cursor, Duration.ZERO)).isEqualTo("SELECT Id, SystemModstamp, Email"
                + " FROM Contact WHERE (SystemModstamp = 2026-03-02T06:00:00Z AND Id > '003000000000042AAA') OR"
                + " SystemModstamp > 2026-03-02T06:00:00Z ORDER BY SystemModstamp ASC, Id ASC");
        assertThat(ContactQueries.changes(fields, cursor, Duration.ofMinutes(5)))
                .contains("WHERE SystemModstamp >= 2026-03-02T05:55:00Z ORDER BY");
        // A pass cut off before its end resumes after the cursor, look-back or not.
        SyncCursor midPass = new SyncCursor(Map.of("modstamp", "2026-03-02T06:00:00Z", "id", "003000000000042AAA",
                "pass", "open"));
        assertThat(ContactQueries.changes(fields, midPass, Duration.ofMinutes(5)))
                .isEqualTo(ContactQueries.changes(fields, cursor, Duration.ZERO));
    }

    @Test
    void lookupsThatWouldMakeTheUriTooLongAreSplitBetweenRequests() {
        List<Map<String, List<String>>> terms = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            terms.add(Map.of("Email", List.of("person" + i + "@example.org")));
        }

        List<String> one = ContactQueries.lookups(List.of("Id"), terms, 100_000);
        List<String> several = ContactQueries.lookups(List.of("Id"), terms, 1_000);

        assertThat(one).hasSize(1);
        assertThat(one.get(0)).startsWith("SELECT Id FROM Contact WHERE Email IN ('person0@example.org', ");
        assertThat(several).hasSizeGreaterThan(2).allSatisfy(q -> assertThat(q.length()).isLessThanOrEqualTo(1_000));
        assertThat(String.join(" ", several)).contains("'person99@example.org'").contains("'person0@example.org'");
    }

    @Test
    void lookupsOfSeveralFieldsWithRepeatedTermsAreSplitAtTheLimitAndAskForEveryTermOnce() {
        List<Map<String, List<String>>> terms = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Map<String, List<String>> request = new java.util.LinkedHashMap<>();
            request.put("Email", List.of("person" + (i % 250) + "@example.org", "o'brien" + i + "@example.org"));
            request.put(i % 3 == 0 ? "Phone" : "MobilePhone", List.of("+1415555" + (1000 + i % 7), "(415) 555-"
                    + (1000 + i % 7)));
            terms.add(request);
        }

        for (int max : new int[] {2_000, 9_000, 90_000}) {
            List<String> statements = ContactQueries.lookups(List.of("Id", "Email"), terms, max);

            assertThat(statements).allSatisfy(q -> assertThat(q.length()).isLessThanOrEqualTo(max));
            String all = String.join(" ", statements);
            assertThat(all).contains("'o\\'brien299@example.org'").contains("'person249@example.org'")
                    .contains("'(415) 555-1006'");
            for (String q : statements) {
                assertThat(q.split("'person7@example.org'", -1)).as("a term once per statement").hasSizeLessThanOrEqualTo(2);
            }
        }
        assertThat(ContactQueries.lookups(List.of("Id"), terms, 90_000)).hasSize(1);
    }

    @Test
    void idsAreNormalizedToTheirCaseSafeEighteenCharacterForm() {
        assertThat(SalesforceIds.to18("001M000000qfPyS")).contains("001M000000qfPySIAU");
        assertThat(SalesforceIds.to18("a0RE000000IJmcN")).contains("a0RE000000IJmcNMAT");
        assertThat(SalesforceIds.to18("aBcDEfgHIJKLMNO")).contains("aBcDEfgHIJKLMNO025");
        assertThat(SalesforceIds.to18("001M000000qfPySIAU")).contains("001M000000qfPySIAU");
        assertThat(SalesforceIds.to18("not an id")).isEmpty();
    }
}
