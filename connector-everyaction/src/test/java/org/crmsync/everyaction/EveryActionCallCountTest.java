package org.crmsync.everyaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.Test;

/**
 * The API calls per 1,000 records, exactly: VAN has no synchronous batch write or batch read of people,
 * so writes cost a call per person and an inbound read a call per changed person with a phone, unless
 * {@code export.fields} names the export's columns of the phone's details.
 */
class EveryActionCallCountTest {
    private static final int N = 1_000;

    private static String cell(int n) {
        return String.format("+1415%07d", 2_000_000 + n);
    }

    @Test
    void aThousandNewOptInsCostOneFindOrCreateEachAndAThousandOptOutsOneCallEach() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            for (int i = 0; i < N; i++) {
                f.signUp("First" + i, "Last" + i, "p" + i + "@example.org", cell(i));
            }

            SyncReport optIns = f.outbound();

            assertThat(optIns.count(Outcome.CREATED)).isEqualTo(N);
            assertThat(f.van.callCounts()).containsExactly(Map.entry("GET /apiKeyProfiles", 1),
                    Map.entry("POST /people/findOrCreate", N));
            assertThat(optIns.apiCallsUsed()).isEqualTo(N + 1);

            for (int i = 0; i < N; i++) {
                f.optOut("p" + i + "@example.org");
            }
            f.restart();
            f.van.resetCounts();
            SyncReport optOuts = f.outbound();

            assertThat(optOuts.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(optOuts.count(Outcome.UPDATED)).isEqualTo(N);
            // Each write names the profile's phone (its identity), so its SMS opt-in is set in one POST,
            // without reading the person first; and a new connector's preflight.
            assertThat(f.van.callCounts()).containsExactly(Map.entry("GET /apiKeyProfiles", 1),
                    Map.entry("POST /people/{vanId}", N));
            assertThat(f.van.all()).allSatisfy(p -> assertThat(p.smsOptIn()).isEqualTo("O"));
            assertThat(optOuts.apiCallsUsed()).isEqualTo(N + 1);
        }
    }

    @Test
    void aThousandChangedPeopleCostTheJobItsFilesAndOneReadEach() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            for (int i = 0; i < N; i++) {
                f.van.addPerson("First" + i, "Last" + i, "p" + i + "@example.org", cell(i), "I");
            }

            SyncReport r = f.inbound();

            assertThat(r.count(Outcome.CREATED)).isEqualTo(N);
            assertThat(f.van.callCounts()).containsExactly(Map.entry("GET /apiKeyProfiles", 1),
                    Map.entry("GET /changedEntityExportJobs/{id}", 1), Map.entry("GET /files", 1),
                    Map.entry("GET /people/{vanId}", N), Map.entry("POST /changedEntityExportJobs", 1));
            assertThat(r.apiCallsUsed()).isEqualTo(N + 4);
        }
    }

    @Test
    void withExportFieldsAThousandChangedPeopleCostTheJobAndItsFilesOnly() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.config.put("export.fields", "cellPhone=CellPhone, smsOptInStatus=CellPhoneSmsOptInStatus, email=Email");
            f.config.put("export.file.size.kb", "20");
            for (int i = 0; i < N; i++) {
                f.van.addPerson("First" + i, "Last" + i, "p" + i + "@example.org", cell(i), "I");
            }

            SyncReport r = f.inbound();

            assertThat(r.count(Outcome.CREATED)).isEqualTo(N);
            assertThat(f.van.callCounts()).containsExactly(Map.entry("GET /apiKeyProfiles", 1),
                    Map.entry("GET /changedEntityExportJobs/fields/{resourceType}", 1),
                    Map.entry("GET /changedEntityExportJobs/{id}", 1), Map.entry("GET /files", 4),
                    Map.entry("POST /changedEntityExportJobs", 1));
        }
    }
}
