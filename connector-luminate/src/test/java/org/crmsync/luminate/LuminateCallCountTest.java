package org.crmsync.luminate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.Test;

/**
 * The API calls per 1,000 records, exactly. Luminate's Constituent API reads and writes one constituent a
 * call, so: a new opt-in costs its look-up by email and its createOrUpdate; an opt-out of a linked profile
 * its update alone; a changed constituent in the nightly file its getUser, plus one FTPS session for the
 * file. Each run adds its preflight: listUserFields, and for an inbound run one FTPS login.
 */
class LuminateCallCountTest {
    private static final int N = 1_000;

    @Test
    void aThousandNewOptInsCostTwoCallsEachAndAThousandOptOutsOneCallEach() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.publishOnChange(false);
            for (int i = 0; i < N; i++) {
                f.signUp("First" + i, "Last" + i, "p" + i + "@example.org", LuminateFixture.cell(i));
            }

            SyncReport optIns = f.outbound();

            assertThat(optIns.count(Outcome.CREATED)).isEqualTo(N);
            assertThat(f.site.callCounts()).containsExactly(Map.entry("SRConsAPI createOrUpdate", N),
                    Map.entry("SRConsAPI getUser", N), Map.entry("SRConsAPI listUserFields", 1));
            assertThat(optIns.apiCallsUsed()).isEqualTo(2 * N + 1);

            for (int i = 0; i < N; i++) {
                f.optOut("p" + i + "@example.org");
            }
            f.restart();
            f.site.resetCounts();
            SyncReport optOuts = f.outbound();

            assertThat(optOuts.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(optOuts.count(Outcome.UPDATED)).isEqualTo(N);
            // A linked opt-out is written without a read: update by cons_id sets the opt-in field alone.
            assertThat(f.site.callCounts()).containsExactly(Map.entry("SRConsAPI listUserFields", 1),
                    Map.entry("SRConsAPI update", N));
            assertThat(f.site.all()).allSatisfy(c -> assertThat(c.get(LuminateSimulator.OPTIN_FIELD)).isEqualTo("false"));
            assertThat(optOuts.apiCallsUsed()).isEqualTo(N + 1);
        }
    }

    @Test
    void aThousandChangedConstituentsCostOneGetUserEachAndTheFile() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.publishOnChange(false);
            for (int i = 0; i < N; i++) {
                f.site.addConstituent("First" + i, "Last" + i, "p" + i + "@example.org", LuminateFixture.cell(i), true);
            }
            f.site.publish();

            SyncReport r = f.inbound();

            assertThat(r.count(Outcome.CREATED)).isEqualTo(N);
            assertThat(f.site.callCounts()).containsExactly(Map.entry("SRConsAPI getUser", N),
                    Map.entry("SRConsAPI listUserFields", 1));
            // listUserFields, the preflight's FTPS login, the run's FTPS session, and the reads.
            assertThat(r.apiCallsUsed()).isEqualTo(N + 3);
        }
    }
}
