package org.crmsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.crmsync.engine.EngineFixture.crmPerson;

import java.util.ArrayList;
import java.util.List;
import org.crmsync.SyncDirection;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;
import org.crmsync.testing.FakeConnector;
import org.junit.jupiter.api.Test;

/**
 * Outbound batches in flight at once (the connector's {@code maxCallsInFlight()}): as many look-ups,
 * then as many writes, at once; results applied in order, so the report, the cursor and the
 * no-duplicate rule are those of batches sent one after another. The fake CRM takes 200 per batch.
 */
class CallsInFlightSyncTest {
    private final EngineFixture f = new EngineFixture(new FakeConnector().callsInFlight(4));

    private List<Profile> signUps(int n) {
        List<Profile> people = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            people.add(f.signUp("P" + i, "p" + i + "@example.org", "+1415555" + (3000 + i), OptInStatus.OPTED_IN));
        }
        return people;
    }

    private static String id(Profile p) {
        return p.localId().orElseThrow();
    }

    @Test
    void fourBatchesAreLookedUpAtOnceThenWrittenAtOnceAndTheReportKeepsTheirOrder() {
        List<Profile> people = signUps(1600);
        f.crm.gatherCalls(4);

        SyncReport report = f.outbound();

        assertThat(f.crm.peakCallsInFlight()).isEqualTo(4);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1600);
        assertThat(f.crm.size()).isEqualTo(1600);
        assertThat(f.crm.lookupCalls()).isEqualTo(8);
        assertThat(f.crm.writeCalls()).isEqualTo(8);
        assertThat(report.rows().stream().map(RecordResult::key).toList())
                .isEqualTo(people.subList(0, report.rows().size()).stream().map(CallsInFlightSyncTest::id).toList());
        assertThat(people).allSatisfy(p -> assertThat(f.profile(id(p)).constituentId()).isPresent());
        // past every change, the write-backs of the CRM ids included
        assertThat(report.cursorAfter()).isEqualTo(SyncCursor.of("sequence", Long.toString(f.store.lastSequence())));
    }

    @Test
    void aJobMayAskForFewerCallsInFlightThanTheConnectorAllows() {
        signUps(800);

        SyncReport report = f.engine.run(f.job(SyncDirection.OUTBOUND).maxCallsInFlight(1).build());

        assertThat(f.crm.peakCallsInFlight()).isEqualTo(1);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(800);
        assertThatThrownBy(() -> f.job(SyncDirection.OUTBOUND).maxCallsInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxCallsInFlight");
    }

    @Test
    void twoNewOptInsWithOneEmailInDifferentBatchesOfAWaveMakeOneCrmRecordNotTwo() {
        List<Profile> people = signUps(800);
        Profile twin = people.get(500);
        f.appUpdate(twin.toBuilder().email("P0@example.org").build());

        SyncReport report = f.outbound();

        // The twin's look-up went with the others, before the first one's create: it is asked again after it.
        assertThat(f.crm.size()).isEqualTo(799);
        assertThat(f.crm.idsWhere("profile_email", "p0@example.org")).hasSize(1);
        assertThat(report.row(id(twin)).orElseThrow().reason()).isEqualTo(Reason.LINKED_TO_OTHER_RECORD);
        assertThat(f.profile(id(twin)).constituentId()).isEmpty();
        assertThat(f.crm.lookupCalls()).isEqualTo(5);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(799);
    }

    @Test
    void twoNewOptInsWithOneEmailInOneBatchMakeOneCrmRecord() {
        FakeConnector oneAtATime = new FakeConnector();
        EngineFixture g = new EngineFixture(oneAtATime);
        Profile first = g.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        Profile second = g.signUp("Anna", "ANA@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = g.outbound();

        assertThat(oneAtATime.size()).isEqualTo(1);
        assertThat(report.row(id(first)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(report.row(id(second)).orElseThrow().reason()).isEqualTo(Reason.LINKED_TO_OTHER_RECORD);
    }

    @Test
    void aNewOptInSharingOnlyAMobileNumberWithAnotherOfItsWaveIsCheckedAgainstItsCreateNotCreatedBlindly() {
        List<Profile> people = signUps(800);
        Profile sharer = people.get(700);
        f.appUpdate(sharer.toBuilder().firstName("Zed").lastName("Other").phoneNumber("+14155553000").build());

        SyncReport report = f.outbound();

        // Asked again after the first one's create, its look-up finds that record by phone: another
        // person (name and email differ), so a conflict is reported, as one batch later it would be.
        assertThat(f.crm.size()).isEqualTo(799);
        assertThat(report.row(id(sharer)).orElseThrow().reason()).isEqualTo(Reason.MATCH_CONFLICT);
    }

    @Test
    void twoProfilesMatchingOneCrmRecordAreNotBothLinkedToIt() {
        FakeConnector oneAtATime = new FakeConnector();
        EngineFixture g = new EngineFixture(oneAtATime);
        oneAtATime.put("X1", crmPerson("Ana", "Doe", "ana@example.org", "", "US", "false"));
        Profile first = g.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        Profile second = g.signUp("Ana", "ana@example.org", "+14155552672", OptInStatus.OPTED_IN);

        SyncReport report = g.outbound();

        assertThat(oneAtATime.size()).isEqualTo(1);
        assertThat(g.profile(id(first)).constituentId()).hasValue("X1");
        assertThat(g.profile(id(second)).constituentId()).isEmpty();
        assertThat(report.row(id(second)).orElseThrow().reason()).isEqualTo(Reason.LINKED_TO_OTHER_RECORD);
    }

    @Test
    void aLookupThatFailsInAWaveLeavesItsBatchAndTheLaterOnesForTheNextRunAndTheEarlierOnesAreWritten() {
        signUps(800);
        f.crm.failLookupOf("p450@example.org"); // the third batch

        SyncReport down = f.outbound();

        assertThat(down.status()).isEqualTo(RunStatus.FAILED);
        assertThat(down.count(Outcome.CREATED)).isEqualTo(400);
        assertThat(down.count(Outcome.FAILED)).isEqualTo(200);
        assertThat(down.count(Reason.RUN_STOPPED)).isEqualTo(200);
        assertThat(f.crm.writeCalls()).isEqualTo(2);
        assertThat(down.cursorAfter()).isEqualTo(SyncCursor.of("sequence", "600"));

        SyncReport next = f.outbound();

        assertThat(next.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(next.count(Outcome.CREATED)).isEqualTo(400);
        assertThat(f.crm.size()).isEqualTo(800);
    }

    @Test
    void aWriteThatFailsInAWaveLosesNothingAndTheOtherBatchesWritesAreApplied() {
        List<Profile> people = signUps(800);
        f.crm.failWriteCalls(1);

        SyncReport down = f.outbound();

        // Which batch's write failed depends on which arrived first; every other batch was written.
        assertThat(down.status()).isEqualTo(RunStatus.FAILED);
        assertThat(down.count(Outcome.FAILED)).isEqualTo(200);
        assertThat(down.count(Outcome.CREATED)).isEqualTo(600);
        assertThat(f.crm.size()).isEqualTo(600);
        assertThat(f.state.pending("fake-out", SyncDirection.OUTBOUND)).hasSize(200);

        SyncReport next = f.outbound();

        assertThat(next.count(Outcome.CREATED)).isEqualTo(200);
        assertThat(f.crm.size()).isEqualTo(800);
        assertThat(people).allSatisfy(p -> assertThat(f.profile(id(p)).constituentId()).isPresent());
    }

    @Test
    void nearTheQuotaAWaveHasOnlyTheBatchesItCanPayForAndTheCursorStaysBeforeTheFirstRecordNotWritten() {
        List<Profile> people = signUps(800);
        // the preflight, then six calls: a look-up and a write for three of the four batches
        f.policy = f.policy.toBuilder().dailyApiQuota(7).build();

        SyncReport first = f.outbound();

        assertThat(first.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(first.count(Outcome.CREATED)).isEqualTo(600);
        assertThat(first.count(Reason.QUOTA_REACHED)).isEqualTo(200);
        assertThat(f.crm.lookupCalls()).as("no look-up whose write the quota could not pay for").isEqualTo(3);
        long firstDeferred = people.stream().filter(p -> first.row(id(p)).orElseThrow().outcome() == Outcome.DEFERRED)
                .mapToLong(p -> people.indexOf(p) + 1).min().orElseThrow();
        assertThat(first.cursorAfter()).isEqualTo(SyncCursor.of("sequence", Long.toString(firstDeferred - 1)));

        f.nextDay();
        SyncReport second = f.outbound();

        assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.crm.size()).isEqualTo(800);
        assertThat(people).allSatisfy(p -> assertThat(f.profile(id(p)).constituentId()).isPresent());
    }
}
