package org.crmsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.activity.Activity;
import org.crmsync.activity.ActivityMapping;
import org.crmsync.activity.FileActivitySource;
import org.crmsync.activity.InMemoryActivitySource;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.store.FileSyncStateStore;
import org.crmsync.store.PendingRecord;
import org.crmsync.store.RunLease;
import org.crmsync.store.SyncStateStore;
import org.crmsync.testing.FakeConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Activity sync: calls pushed to the CRM record of their profile exactly once, across a lost answer,
 * a crash between the write and the cursor, an unlinked profile and the quota. The fake CRM takes 50
 * activities per call, in batches of 200, and keeps each one's key unless a test says otherwise.
 */
class ActivitySyncTest {
    @TempDir
    Path dir;
    private final EngineFixture f = new EngineFixture(new FakeConnector().postsActivities(50, true));
    private final InMemoryActivitySource calls = new InMemoryActivitySource();
    private final ActivityMapping mapping = ActivityMapping.builder().type("call", "legislator_call")
            .map("call", "recipient_id", "map_recipient_id").map("call", "alert_id", "alert_id")
            .required("call", "recipient_id").build();
    private final Instant at = Instant.parse("2026-03-01T15:00:00Z");

    private SyncJob.Builder activityJob() {
        return SyncJob.builder("fake-activities").connector(f.crm).profiles(f.store).state(f.state).policy(f.policy)
                .direction(SyncDirection.ACTIVITIES).activities(calls).activityMapping(mapping);
    }

    private SyncReport activities() {
        return f.engine.run(activityJob().build());
    }

    /** People signed up and linked to CRM records by an outbound run. */
    private List<Profile> linkedPeople(int n) {
        List<Profile> people = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            people.add(f.signUp("P" + i, "p" + i + "@example.org", "+1415555" + (3000 + i), OptInStatus.OPTED_IN));
        }
        f.outbound();
        return people.stream().map(p -> f.profile(p.localId().orElseThrow())).toList();
    }

    private void call(String key, Profile p) {
        calls.add(Activity.of(key, "call", p.localId().orElseThrow(), at, Map.of("recipient_id", "R7", "alert_id", "9",
                "notes", "not mapped, not sent")));
    }

    private void callsOf(List<Profile> people, int n) {
        for (int i = 0; i < n; i++) {
            call("call-" + i, people.get(i % people.size()));
        }
    }

    private void assertEachPostedOnce(int n) {
        assertThat(f.crm.postedActivities()).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(f.crm.postedActivitiesWithKey("call-" + i)).as("call-" + i).isEqualTo(1);
        }
    }

    @Test
    void aBatchOfCallsIsPostedOnceToTheRecordsOfTheirProfilesAndTheNextRunPostsNothing() {
        List<Profile> people = linkedPeople(3);
        callsOf(people, 120);

        SyncReport report = activities();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.direction()).isEqualTo(SyncDirection.ACTIVITIES);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(120);
        assertEachPostedOnce(120);
        assertThat(f.crm.activityCalls()).isEqualTo(3);
        FakeConnector.PostedActivity first = f.crm.postedActivities().get(0);
        assertThat(first.type()).isEqualTo("legislator_call");
        assertThat(first.recordId()).isEqualTo(people.get(0).constituentId().orElseThrow());
        assertThat(first.fields()).isEqualTo(Map.of("map_recipient_id", "R7", "alert_id", "9"));
        assertThat(first.occurredAt()).isEqualTo(at);
        assertThat(report.row("call-0").orElseThrow().remoteId()).contains(first.id());
        assertThat(report.cursorAfter()).isEqualTo(SyncCursor.of("sequence", "120"));

        SyncReport again = activities();

        assertThat(again.rows()).isEmpty();
        assertThat(f.crm.activityCalls()).isEqualTo(3);
        assertEachPostedOnce(120);
    }

    @Test
    void aCrashAfterTheCrmTookTheBatchAndBeforeTheCursorMovedPostsNothingTwiceOnTheRerun() {
        List<Profile> people = linkedPeople(2);
        callsOf(people, 60);
        CrashingState crashing = new CrashingState(f.state);

        SyncReport crashed = f.engine.run(activityJob().state(crashing).build());

        assertThat(crashed.status()).isEqualTo(RunStatus.FAILED);
        assertEachPostedOnce(60); // the CRM took the batch before the process "died"
        assertThat(f.state.cursor("fake-activities", SyncDirection.ACTIVITIES)).contains(
                SyncCursor.of(ActivityRun.SEQUENCE, "0", ActivityRun.IN_FLIGHT_THROUGH, "60"));

        SyncReport rerun = activities();

        assertThat(rerun.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(rerun.count(Outcome.NO_DIFFERENCE)).isEqualTo(60);
        assertThat(rerun.row("call-5").orElseThrow().message()).contains("already in the CRM");
        assertEachPostedOnce(60);
        assertThat(f.crm.activityLookupCalls()).isEqualTo(1);
        assertThat(rerun.cursorAfter()).isEqualTo(SyncCursor.of("sequence", "60"));
    }

    @Test
    void anAnswerLostAfterTheCrmTookTheCallIsLookedForByKeyAndNotPostedAgain() {
        List<Profile> people = linkedPeople(2);
        callsOf(people, 80);
        f.crm.dropAnswerOfActivityCalls(1);

        SyncReport lost = activities();

        assertThat(lost.status()).isEqualTo(RunStatus.FAILED);
        assertThat(lost.count(Outcome.DEFERRED)).isEqualTo(80);
        assertThat(lost.row("call-0").orElseThrow().reason()).isEqualTo(Reason.RUN_STOPPED);
        assertThat(f.crm.postedActivities()).hasSize(50); // the first call landed; its answer did not
        assertThat(f.state.pending("fake-activities", SyncDirection.ACTIVITIES)).hasSize(80);

        SyncReport next = activities();

        assertThat(next.count(Outcome.NO_DIFFERENCE)).isEqualTo(50);
        assertThat(next.count(Outcome.CREATED)).isEqualTo(30);
        assertEachPostedOnce(80);
        assertThat(f.state.pending("fake-activities", SyncDirection.ACTIVITIES)).isEmpty();
    }

    @Test
    void inDoubtActivitiesKeptInAFileStateStoreAreLookedForAfterTheProcessStartsAgain() {
        List<Profile> people = linkedPeople(2);
        callsOf(people, 80);
        f.crm.dropAnswerOfActivityCalls(1);
        try (FileSyncStateStore state = FileSyncStateStore.open(dir)) {
            assertThat(f.engine.run(activityJob().state(state).build()).status()).isEqualTo(RunStatus.FAILED);
        }

        try (FileSyncStateStore reopened = FileSyncStateStore.open(dir)) {
            SyncReport next = new SyncEngine(f.clock).run(activityJob().state(reopened).build());

            assertThat(next.count(Outcome.NO_DIFFERENCE)).isEqualTo(50);
            assertThat(next.count(Outcome.CREATED)).isEqualTo(30);
            assertEachPostedOnce(80);
            assertThat(reopened.recentReports("fake-activities", 5)).hasSize(2);
            assertThat(reopened.pending("fake-activities", SyncDirection.ACTIVITIES)).isEmpty();
        }
    }

    @Test
    void aCrmThatCannotLookForKeysNeverGetsAnInDoubtActivityAgain() {
        f.crm.postsActivities(50, false);
        List<Profile> people = linkedPeople(2);
        callsOf(people, 80);
        f.crm.dropAnswerOfActivityCalls(1);
        activities();

        SyncReport next = activities();

        assertThat(next.count(Reason.IN_DOUBT)).isEqualTo(80);
        assertThat(next.row("call-0").orElseThrow().message()).contains("not sent again").contains("check the CRM");
        assertThat(f.crm.postedActivities()).hasSize(50);
        assertThat(f.crm.postedActivities()).allSatisfy(a -> assertThat(f.crm.postedActivitiesWithKey(a.key()))
                .isEqualTo(1));
        assertThat(f.state.pending("fake-activities", SyncDirection.ACTIVITIES)).isEmpty();
    }

    @Test
    void anUnlinkedProfilesCallWaitsAndIsPostedAfterTheProfileSyncLinksIt() {
        Profile linked = linkedPeople(1).get(0);
        Profile unlinked = f.signUp("Ann", "ann@example.org", "+14155559999", OptInStatus.OPTED_IN);
        call("call-0", linked);
        call("call-1", unlinked);

        SyncReport first = activities();

        RecordResult waits = first.row("call-1").orElseThrow();
        assertThat(waits.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(waits.reason()).isEqualTo(Reason.NOT_LINKED_YET);
        assertThat(first.row("call-0").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.crm.postedActivities()).hasSize(1);
        assertThat(activities().row("call-1").orElseThrow().reason()).isEqualTo(Reason.NOT_LINKED_YET);

        f.outbound(); // links Ann
        SyncReport after = activities();

        assertThat(after.row("call-1").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.crm.postedActivitiesWithKey("call-1")).isEqualTo(1);
        assertThat(f.crm.postedActivities().get(1).recordId())
                .isEqualTo(f.profile(unlinked.localId().orElseThrow()).constituentId().orElseThrow());
        assertThat(f.state.pending("fake-activities", SyncDirection.ACTIVITIES)).isEmpty();
        assertThat(activities().rows()).isEmpty();
    }

    @Test
    void theQuotaStoppingMidBatchPostsWhatItPaidForAndTheRestWaitsForTheNextDay() {
        List<Profile> people = linkedPeople(2);
        callsOf(people, 200);
        long usedByOutbound = f.state.apiCallsUsed(f.job(SyncDirection.OUTBOUND).build().connectionId(),
                LocalDate.of(2026, 3, 2));
        // The preflight and two calls of 50 are left for today.
        f.policy = f.policy.toBuilder().dailyApiQuota(usedByOutbound + 3).build();

        SyncReport today = activities();

        assertThat(today.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(today.count(Outcome.CREATED)).isEqualTo(100);
        assertThat(today.count(Reason.QUOTA_REACHED)).isEqualTo(100);
        assertThat(f.crm.postedActivities()).hasSize(100);
        assertThat(f.state.pending("fake-activities", SyncDirection.ACTIVITIES)).hasSize(100)
                .allSatisfy(p -> assertThat(p.remoteFields()).containsEntry("activity:inDoubt", "false"));

        f.nextDay();
        SyncReport tomorrow = activities();

        assertThat(tomorrow.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(tomorrow.count(Outcome.CREATED)).isEqualTo(100);
        assertEachPostedOnce(200);
        assertThat(f.crm.activityLookupCalls()).isZero(); // not sent means not in doubt: no look-up needed
    }

    @Test
    void anOptedOutProfilesCallStillSyncsUnlessThePolicyKeepsThemOut() {
        Profile p = linkedPeople(1).get(0);
        f.appUpdate(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());
        call("call-0", p);

        assertThat(activities().row("call-0").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);

        call("call-1", p);
        f.policy = f.policy.toBuilder().activitiesOfOptedOutProfiles(false).build();
        RecordResult kept = activities().row("call-1").orElseThrow();

        assertThat(kept.reason()).isEqualTo(Reason.PROFILE_OPTED_OUT);
        assertThat(f.crm.postedActivitiesWithKey("call-1")).isZero();
    }

    @Test
    void aDryRunPostsNothingAndMovesNoCursor() {
        List<Profile> people = linkedPeople(1);
        callsOf(people, 3);

        SyncReport dry = f.engine.run(activityJob().dryRun(true).build());

        assertThat(dry.count(Outcome.CREATED)).isEqualTo(3);
        assertThat(dry.row("call-0").orElseThrow().message()).startsWith("dry run: would post");
        assertThat(f.crm.postedActivities()).isEmpty();
        assertThat(f.state.cursor("fake-activities", SyncDirection.ACTIVITIES)).isEmpty();
        assertThat(activities().count(Outcome.CREATED)).isEqualTo(3);
    }

    @Test
    void activitiesOfTypesNotMappedOrWithoutARequiredFieldAreReportedAndNotSent() {
        Profile p = linkedPeople(1).get(0);
        calls.add(Activity.of("don-1", "donation", p.localId().orElseThrow(), at, Map.of("amount", "25")));
        calls.add(Activity.of("call-1", "call", p.localId().orElseThrow(), at, Map.of("alert_id", "9")));
        calls.add(Activity.of("call-2", "call", "no-such-profile", at, Map.of("recipient_id", "R1")));

        SyncReport report = activities();

        assertThat(report.row("don-1").orElseThrow().reason()).isEqualTo(Reason.ACTIVITY_NOT_MAPPED);
        assertThat(report.row("don-1").orElseThrow().message()).contains("donation").contains("[call]");
        assertThat(report.row("call-1").orElseThrow().reason()).isEqualTo(Reason.MISSING_REQUIRED_FIELD);
        assertThat(report.row("call-1").orElseThrow().message()).contains("recipient_id");
        assertThat(report.row("call-2").orElseThrow().message()).contains("no profile no-such-profile");
        assertThat(f.crm.postedActivities()).isEmpty();
        assertThat(f.crm.activityCalls()).isZero();
    }

    @Test
    void twoActivitiesWithOneKeyInABatchPostTheFirstOnly() {
        Profile p = linkedPeople(1).get(0);
        FileActivitySource file = FileActivitySource.open(dir.resolve("calls.jsonl"));
        file.append(Activity.of("call-1", "call", p.localId().orElseThrow(), at, Map.of("recipient_id", "R1")));
        file.append(Activity.of("call-1", "call", p.localId().orElseThrow(), at, Map.of("recipient_id", "R2")));

        SyncReport report = f.engine.run(activityJob().activities(file).build());

        assertThat(report.rowCount()).isEqualTo(2);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(report.count(Reason.VALIDATION_ERROR)).isEqualTo(1);
        assertThat(f.crm.postedActivitiesWithKey("call-1")).isEqualTo(1);
        assertThat(f.crm.postedActivities().get(0).fields()).containsEntry("map_recipient_id", "R1");
    }

    @Test
    void anActivityJobNeedsItsSourceAndAConnectorThatPostsActivities() {
        assertThatThrownBy(() -> activityJob().activities(calls).build().toBuilder().connector(new FakeConnector())
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not post activities");
        assertThatThrownBy(() -> SyncJob.builder("a").connector(f.crm).profiles(f.store).state(f.state)
                .direction(SyncDirection.ACTIVITIES).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs the application's activities");
        assertThatThrownBy(() -> f.job(SyncDirection.OUTBOUND).activities(calls).build())
                .hasMessageContaining("only applies to ACTIVITIES jobs");
    }

    /** A state store whose process "dies" when an activity job moves its cursor past a batch it sent. */
    private static final class CrashingState implements SyncStateStore {
        private final SyncStateStore delegate;

        CrashingState(SyncStateStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<SyncCursor> cursor(String jobId, SyncDirection direction) {
            return delegate.cursor(jobId, direction);
        }

        @Override
        public void saveCursor(String jobId, SyncDirection direction, SyncCursor cursor) {
            if (direction == SyncDirection.ACTIVITIES && cursor.get(ActivityRun.IN_FLIGHT_THROUGH).isEmpty()) {
                throw new IllegalStateException("the process died");
            }
            delegate.saveCursor(jobId, direction, cursor);
        }

        @Override
        public long apiCallsUsed(String quotaKey, LocalDate day) {
            return delegate.apiCallsUsed(quotaKey, day);
        }

        @Override
        public void addApiCalls(String quotaKey, LocalDate day, long n) {
            delegate.addApiCalls(quotaKey, day, n);
        }

        @Override
        public long apiCallsUsed(String quotaKey, QuotaWindow window, Instant now) {
            return delegate.apiCallsUsed(quotaKey, window, now);
        }

        @Override
        public long reserveApiCalls(String quotaKey, QuotaWindow window, Instant now, long calls, long limit) {
            return delegate.reserveApiCalls(quotaKey, window, now, calls, limit);
        }

        @Override
        public void returnApiCalls(String quotaKey, QuotaWindow window, Instant reservedAt, long calls) {
            delegate.returnApiCalls(quotaKey, window, reservedAt, calls);
        }

        @Override
        public RunLease acquireLease(String jobId, String owner, Instant now, Duration duration) {
            return delegate.acquireLease(jobId, owner, now, duration);
        }

        @Override
        public Optional<RunLease> renewLease(RunLease lease, Instant now, Duration duration) {
            return delegate.renewLease(lease, now, duration);
        }

        @Override
        public void releaseLease(RunLease lease) {
            delegate.releaseLease(lease);
        }

        @Override
        public List<PendingRecord> pending(String jobId, SyncDirection direction) {
            return delegate.pending(jobId, direction);
        }

        @Override
        public void savePending(String jobId, SyncDirection direction, PendingRecord record) {
            delegate.savePending(jobId, direction, record);
        }

        @Override
        public void removePending(String jobId, SyncDirection direction, String key) {
            delegate.removePending(jobId, direction, key);
        }

        @Override
        public void saveReport(SyncReport report) {
            delegate.saveReport(report);
        }

        @Override
        public List<SyncReport> recentReports(String jobId, int limit) {
            return delegate.recentReports(jobId, limit);
        }
    }
}
