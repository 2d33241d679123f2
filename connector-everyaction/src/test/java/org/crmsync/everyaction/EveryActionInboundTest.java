package org.crmsync.everyaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;
import org.crmsync.store.LocalChange;
import org.junit.jupiter.api.Test;

class EveryActionInboundTest {
    private static final String ANA = "ana.diaz@example.org";
    private static final String ANA_CELL = "+19375550100";

    private static String cell(int n) {
        return String.format("+1415%07d", 2_000_000 + n);
    }

    @Test
    void aJobStillPendingAtTheEndOfARunIsPickedUpByTheNextRunOneJobNotTwo() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.van.jobDelay(Duration.ofMinutes(20));
            f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");

            SyncReport first = f.inbound();

            assertThat(first.status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);
            assertThat(first.message()).contains("EveryAction export job", "in process");
            assertThat(f.state.cursor("ea-in", SyncDirection.INBOUND).orElseThrow().get("job")).isPresent();
            f.restart(); // the next run may be another process: the job is found through the cursor alone
            f.clock.advance(Duration.ofMinutes(5));
            assertThat(f.inbound().status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);
            f.clock.advance(Duration.ofMinutes(15));
            SyncReport done = f.inbound();

            assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(done.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(f.van.jobsCreated()).isEqualTo(1);
            assertThat(f.state.cursor("ea-in", SyncDirection.INBOUND).orElseThrow().get("job")).isEmpty();
        }
    }

    @Test
    void aJobSplitIntoThreeFilesLosesNoRecord() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.van.rowsPerFile(4);
            for (int i = 0; i < 10; i++) {
                f.van.addPerson("P" + i, "Doe", "p" + i + "@example.org", cell(i), "I");
            }

            SyncReport r = f.inbound();

            assertThat(r.count(Outcome.CREATED)).isEqualTo(10);
            assertThat(f.van.calls("GET /files")).isEqualTo(3);
            for (int i = 0; i < 10; i++) {
                assertThat(f.store.findByEmail("p" + i + "@example.org")).hasSize(1);
            }
        }
    }

    @Test
    void aRunCutOffInsideTheSecondFileResumesAfterTheLastRecordApplied() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.van.rowsPerFile(4);
            for (int i = 0; i < 10; i++) {
                f.van.addPerson("P" + i, "Doe", "p" + i + "@example.org", cell(i), "I");
            }
            // preflight, create, status, file 1, four reads, file 2, one read: the quota stops the sixth record
            f.policy = f.policy.toBuilder().dailyApiQuota(10).build();

            SyncReport first = f.inbound();
            f.clock.advance(Duration.ofDays(1));
            f.policy = f.policy.toBuilder().noDailyApiQuota().build();
            SyncReport second = f.inbound();

            assertThat(first.status()).isEqualTo(RunStatus.QUOTA_REACHED);
            assertThat(first.count(Outcome.CREATED)).isEqualTo(5);
            assertThat(second.count(Outcome.CREATED)).isEqualTo(5);
            assertThat(f.van.jobsCreated()).isEqualTo(1);
            assertThat(f.store.all().count()).isEqualTo(10);
        }
    }

    @Test
    void aPersonMatchedByMobileNumberGetsTheEmailFromEveryAction() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            Profile local = f.store.create(Profile.builder().firstName("Ana").phoneNumber(ANA_CELL)
                    .optInStatus(OptInStatus.OPTED_IN).build(), Optional.empty(), LocalChange.APPLICATION);
            long vanId = f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");

            SyncReport r = f.inbound();

            assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
            Profile now = f.store.findByLocalId(local.localId().orElseThrow()).orElseThrow();
            assertThat(now.email()).hasValue(ANA);
            assertThat(now.lastName()).hasValue("Diaz");
            assertThat(now.constituentId()).hasValue(Long.toString(vanId));
            assertThat(f.store.all().count()).isEqualTo(1);
        }
    }

    @Test
    void ourOwnWritesDoNotComeBackInbound() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.signUp("Ana", "Diaz", ANA, ANA_CELL);
            f.outbound();
            long other = f.van.addPerson("Bo", "Lee", "bo@example.org", "+19375550102", "I");
            f.clock.advance(Duration.ofHours(1));

            SyncReport r = f.inbound();

            JsonNode job = f.van.lastBody("POST /changedEntityExportJobs").orElseThrow();
            assertThat(job.path("excludeChangesFromSelf").asBoolean()).isTrue();
            assertThat(r.recordsRead()).as("only the EveryAction user's change").isEqualTo(1);
            assertThat(r.rows()).singleElement().satisfies(row -> assertThat(row.remoteId())
                    .hasValue(Long.toString(other)));
        }
    }

    @Test
    void peopleWithoutACellPhoneOrOutsideTheUsAreSkippedWithReasonsAndOnlyRowsWithAPhoneAreRead() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            long homeOnly = f.van.addPerson("Hal", "Home", "hal@example.org", null, "U");
            f.van.addPhone(homeOnly, "+19375550103", "H", "U", true);
            long abroad = f.van.addPerson("Cam", "North", "cam@example.org", "+19375550104", "I");
            f.van.address(abroad, "1 Rue Main", "Montreal", "QC", "H2X 1Y4", "CA");
            f.van.addPerson("Nia", "Nophone", "nia@example.org", null, "U");

            SyncReport r = f.inbound();

            assertThat(r.count(Reason.NO_MOBILE_NUMBER)).isEqualTo(2);
            assertThat(r.count(Reason.COUNTRY_NOT_ALLOWED)).isEqualTo(1);
            assertThat(f.store.all().count()).isZero();
            assertThat(f.van.calls("GET /people/{vanId}")).as("the two rows with a phone").isEqualTo(2);
        }
    }

    @Test
    void conservativeModeTakesOnlyPeopleWhoseSmsOptInIsI() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.policy = EveryActionFixture.preset(SyncMode.CONSERVATIVE);
            f.van.addPerson("In", "One", "in@example.org", cell(1), "I");
            f.van.addPerson("Out", "Two", "out@example.org", cell(2), "O");
            f.van.addPerson("Unknown", "Three", "unknown@example.org", cell(3), "U");

            SyncReport r = f.inbound();

            assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(r.count(Reason.NOT_OPTED_IN)).isEqualTo(2);
            assertThat(f.store.findByEmail("in@example.org")).hasSize(1);
        }
    }

    @Test
    void theNextJobStartsFortyEightHoursBeforeTheLastOneEnded() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.inbound();
            Instant since = Instant.parse(f.state.cursor("ea-in", SyncDirection.INBOUND).orElseThrow().get("since")
                    .orElseThrow());
            f.clock.advance(Duration.ofDays(1));

            f.inbound();

            assertThat(Instant.parse(f.van.lastBody("POST /changedEntityExportJobs").orElseThrow()
                    .path("dateChangedFrom").asText())).isEqualTo(since.minus(Duration.ofHours(48)));
        }
    }

    @Test
    void theLookBackNeverReachesPastVansNinetyDays() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.state.saveCursor("ea-in", SyncDirection.INBOUND, SyncCursor.of("since",
                    f.clock.instant().minus(Duration.ofDays(89)).toString()));

            SyncReport r = f.inbound();

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(Instant.parse(f.van.lastBody("POST /changedEntityExportJobs").orElseThrow()
                    .path("dateChangedFrom").asText()))
                    .isEqualTo(f.clock.instant().minus(Duration.ofDays(90)).plus(Duration.ofHours(1)));
        }
    }

    @Test
    void aCursorOlderThanNinetyDaysIsAClearProblemNotASilentGap() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.state.saveCursor("ea-in", SyncDirection.INBOUND, SyncCursor.of("since",
                    f.clock.instant().minus(Duration.ofDays(100)).toString()));

            SyncReport r = f.inbound();

            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.message()).contains("100 days ago", "90 days", "clear this job's inbound cursor");
            assertThat(f.van.jobsCreated()).isZero();
        }
    }

    @Test
    void aJobEndingInErrorIsAskedForAgain() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");
            f.van.failNextJob("Export failed");

            SyncReport r = f.inbound();

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(f.van.jobsCreated()).isEqualTo(2);
        }
    }

    @Test
    void filesWhoseLinksAreGoneMakeANewJob() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.van.jobDelay(Duration.ofMinutes(10));
            f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");
            assertThat(f.inbound().status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);
            f.van.expireFiles();
            f.clock.advance(Duration.ofMinutes(10));

            SyncReport second = f.inbound(); // the job completes, its link answers 404: a new job, still running
            f.clock.advance(Duration.ofMinutes(10));
            SyncReport third = f.inbound();

            assertThat(second.status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);
            assertThat(second.message()).contains("are gone (HTTP 404)", "new export job");
            assertThat(third.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(third.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(f.van.jobsCreated()).isEqualTo(2);
        }
    }

    @Test
    void aPersonWhoseReadFailsIsKeptAndReadAgainOnTheNextRun() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");
            f.van.down("GET /people/{vanId}");

            SyncReport first = f.inbound();
            f.van.clearFaults();
            f.clock.advance(Duration.ofDays(1));
            f.van.resetCounts();
            SyncReport second = f.inbound();

            assertThat(first.count(Outcome.CREATED)).isZero();
            assertThat(f.store.findByEmail(ANA)).hasSize(1);
            assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    @Test
    void withExportFieldsThePhonesDetailsComeFromTheExportAndNoPersonIsRead() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.config.put("export.fields", "cellPhone=CellPhone, smsOptInStatus=CellPhoneSmsOptInStatus, email=Email,"
                    + " countryCode=CountryCode");
            f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");
            long abroad = f.van.addPerson("Cam", "North", "cam@example.org", "+19375550104", "I");
            f.van.address(abroad, "1 Rue Main", "Montreal", "QC", "H2X 1Y4", "CA");

            SyncReport r = f.inbound();

            assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(r.count(Reason.COUNTRY_NOT_ALLOWED)).isEqualTo(1);
            assertThat(f.byEmail(ANA).phoneNumber()).hasValue(ANA_CELL);
            assertThat(f.van.calls("GET /people/{vanId}")).isZero();
            assertThat(f.van.lastBody("POST /changedEntityExportJobs").orElseThrow().path("requestedFields").toString())
                    .contains("CellPhone", "CellPhoneSmsOptInStatus", "Email", "CountryCode");
        }
    }
}
