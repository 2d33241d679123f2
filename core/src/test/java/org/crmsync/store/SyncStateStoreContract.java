package org.crmsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.RecordSource;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.Test;

/** Behaviour every {@link SyncStateStore} shares; each implementation's test supplies a fresh store. */
abstract class SyncStateStoreContract {
    static final Instant T0 = Instant.parse("2024-05-01T02:00:00Z");
    static final LocalDate DAY = LocalDate.of(2024, 5, 1);

    /** A fresh store keeping at most {@code keepReports} reports per job. */
    abstract SyncStateStore newStore(int keepReports);

    static SyncReport report(String jobId, SyncDirection direction, Instant startedAt, String key) {
        return SyncReport.builder(jobId, "salesforce", direction, startedAt)
                .cursorBefore(SyncCursor.of("since", "2024-04-30T00:00:00Z"))
                .cursorAfter(SyncCursor.of("since", startedAt.toString()))
                .recordsRead(1)
                .apiCallsUsed(2)
                .add(new RecordResult(key, direction, Outcome.CREATED, Reason.NONE, "", Optional.of("p1"),
                        Optional.of("003A")))
                .status(RunStatus.COMPLETED, "")
                .finish(startedAt.plusSeconds(30));
    }

    static PendingRecord pendingRecord(String key, int attempts) {
        return new PendingRecord(key, attempts, "HTTP 503", T0, Map.of("Email", "a@example.org", "Id", key),
                Optional.of(RecordSource.API));
    }

    @Test
    void cursorsAreKeptPerJobAndDirection() {
        SyncStateStore store = newStore(20);
        store.saveCursor("nightly", SyncDirection.INBOUND, SyncCursor.of("since", "2024-05-01T00:00:00Z"));
        store.saveCursor("nightly", SyncDirection.OUTBOUND, SyncCursor.of("sequence", "42"));

        assertThat(store.cursor("nightly", SyncDirection.INBOUND)).contains(SyncCursor.of("since", "2024-05-01T00:00:00Z"));
        assertThat(store.cursor("nightly", SyncDirection.OUTBOUND)).contains(SyncCursor.of("sequence", "42"));
        assertThat(store.cursor("other", SyncDirection.INBOUND)).isEmpty();

        store.saveCursor("nightly", SyncDirection.OUTBOUND, SyncCursor.of("sequence", "43"));
        assertThat(store.cursor("nightly", SyncDirection.OUTBOUND)).contains(SyncCursor.of("sequence", "43"));
    }

    @Test
    void apiCallsAddUpPerQuotaKeyAndDay() {
        SyncStateStore store = newStore(20);
        store.addApiCalls("sf-account", DAY, 10);
        store.addApiCalls("sf-account", DAY, 5);
        store.addApiCalls("sf-account", DAY.plusDays(1), 1);
        store.addApiCalls("ak-account", DAY, 7);

        assertThat(store.apiCallsUsed("sf-account", DAY)).isEqualTo(15);
        assertThat(store.apiCallsUsed("sf-account", DAY.plusDays(1))).isEqualTo(1);
        assertThat(store.apiCallsUsed("ak-account", DAY)).isEqualTo(7);
        assertThat(store.apiCallsUsed("nobody", DAY)).isZero();
        assertThatThrownBy(() -> store.addApiCalls("sf-account", DAY, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void apiCallCountsOlderThanAWeekAreDropped() {
        SyncStateStore store = newStore(20);
        store.addApiCalls("sf-account", DAY, 10);
        store.addApiCalls("ak-account", DAY.plusDays(1), 3);
        store.addApiCalls("sf-account", DAY.plusDays(7), 1);
        assertThat(store.apiCallsUsed("sf-account", DAY)).isEqualTo(10);

        store.addApiCalls("sf-account", DAY.plusDays(8), 1);

        assertThat(store.apiCallsUsed("sf-account", DAY)).isZero();
        assertThat(store.apiCallsUsed("ak-account", DAY.plusDays(1))).isEqualTo(3);
        assertThat(store.apiCallsUsed("sf-account", DAY.plusDays(7))).isEqualTo(1);
    }

    @Test
    void pendingRecordsAreReplacedByKeyAndStayOldestFirst() {
        SyncStateStore store = newStore(20);
        store.savePending("nightly", SyncDirection.INBOUND, pendingRecord("A", 1));
        store.savePending("nightly", SyncDirection.INBOUND, pendingRecord("B", 1));
        store.savePending("nightly", SyncDirection.INBOUND, pendingRecord("A", 2));

        assertThat(store.pending("nightly", SyncDirection.INBOUND))
                .containsExactly(pendingRecord("A", 2), pendingRecord("B", 1));
        assertThat(store.pending("nightly", SyncDirection.OUTBOUND)).isEmpty();

        store.removePending("nightly", SyncDirection.INBOUND, "A");
        store.removePending("nightly", SyncDirection.INBOUND, "not-there");
        assertThat(store.pending("nightly", SyncDirection.INBOUND)).containsExactly(pendingRecord("B", 1));
    }

    @Test
    void recentReportsAreNewestFirstAndPrunedToKeepReports() {
        SyncStateStore store = newStore(3);
        for (int i = 0; i < 5; i++) {
            store.saveReport(report("nightly", SyncDirection.INBOUND, T0.plus(Duration.ofDays(i)), "r" + i));
        }
        store.saveReport(report("other", SyncDirection.OUTBOUND, T0, "x"));

        assertThat(store.recentReports("nightly", 10)).extracting(r -> r.rows().get(0).key())
                .containsExactly("r4", "r3", "r2");
        assertThat(store.recentReports("nightly", 2)).extracting(r -> r.rows().get(0).key()).containsExactly("r4", "r3");
        assertThat(store.recentReports("other", 10)).hasSize(1);
        assertThat(store.recentReports("never-ran", 10)).isEmpty();
    }

    @Test
    void reportsStartedAtTheSameInstantAreAllKept() {
        SyncStateStore store = newStore(20);
        store.saveReport(report("nightly", SyncDirection.INBOUND, T0, "first"));
        store.saveReport(report("nightly", SyncDirection.INBOUND, T0, "second"));

        assertThat(store.recentReports("nightly", 10)).extracting(r -> r.rows().get(0).key())
                .containsExactly("second", "first");
    }

    @Test
    void reportsComeBackWithTheirContent() {
        SyncStateStore store = newStore(20);
        SyncReport saved = report("nightly", SyncDirection.OUTBOUND, T0.plusNanos(123_456_789), "k");
        store.saveReport(saved);

        SyncReport read = store.recentReports("nightly", 1).get(0);
        assertThat(read.toJson()).isEqualTo(saved.toJson());
        assertThat(read.startedAt()).isEqualTo(saved.startedAt());
    }

    @Test
    void jobIdsThatCannotBeFileNamesAreRejected() {
        SyncStateStore store = newStore(20);
        for (String bad : new String[] {"../escape", "a/b", "", "..", "with space"}) {
            assertThatThrownBy(() -> store.saveCursor(bad, SyncDirection.INBOUND, SyncCursor.start()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'");
            assertThatThrownBy(() -> store.saveReport(report(bad, SyncDirection.INBOUND, T0, "k")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
        store.saveCursor("job_1.nightly-v2", SyncDirection.INBOUND, SyncCursor.start());
    }

    @Test
    void reservedCallsNotUsedAreGivenBack() {
        SyncStateStore store = newStore(20);
        assertThat(store.reserveApiCalls("ak", QuotaWindow.UTC_DAY, T0, 20, 30)).isEqualTo(20);
        assertThat(store.reserveApiCalls("ak", QuotaWindow.UTC_DAY, T0, 20, 30)).isEqualTo(10);
        store.returnApiCalls("ak", QuotaWindow.UTC_DAY, T0, 8);

        assertThat(store.apiCallsUsed("ak", DAY)).isEqualTo(22);
        assertThat(store.reserveApiCalls("ak", QuotaWindow.UTC_DAY, T0, 20, 30)).isEqualTo(8);
        assertThat(store.reserveApiCalls("ak", QuotaWindow.UTC_DAY, T0.plus(Duration.ofDays(1)), 20, 30))
                .isEqualTo(20);
    }

    @Test
    void aRollingWindowCountsACallForADayAndUpToAnHourMore() {
        SyncStateStore store = newStore(20);
        Instant at = Instant.parse("2024-05-01T10:30:00Z");
        assertThat(store.reserveApiCalls("sf", QuotaWindow.ROLLING_24_HOURS, at, 10, 100)).isEqualTo(10);
        assertThat(store.reserveApiCalls("sf", QuotaWindow.ROLLING_24_HOURS, at.plus(Duration.ofHours(5)), 10, 100))
                .isEqualTo(10);

        assertThat(store.apiCallsUsed("sf", QuotaWindow.ROLLING_24_HOURS, Instant.parse("2024-05-02T10:29:00Z")))
                .isEqualTo(20);
        assertThat(store.apiCallsUsed("sf", QuotaWindow.ROLLING_24_HOURS, Instant.parse("2024-05-02T10:59:59Z")))
                .isEqualTo(20);
        assertThat(store.apiCallsUsed("sf", QuotaWindow.ROLLING_24_HOURS, Instant.parse("2024-05-02T11:00:00Z")))
                .isEqualTo(10);
        assertThat(store.reserveApiCalls("sf", QuotaWindow.ROLLING_24_HOURS, Instant.parse("2024-05-02T11:00:00Z"),
                200, 100)).isEqualTo(90);
        // The UTC day of the same key is a counter of its own.
        assertThat(store.apiCallsUsed("sf", QuotaWindow.UTC_DAY, at)).isZero();
    }

    @Test
    void aJobsLeaseIsOneRunsAtATimeAndTakenOverOnlyOnceExpired() {
        SyncStateStore store = newStore(20);
        Duration two = Duration.ofMinutes(2);
        RunLease a = store.acquireLease("t1-out", "server-a", T0, two);
        assertThat(a.tookOverFrom()).isEmpty();

        assertThatThrownBy(() -> store.acquireLease("t1-out", "server-b", T0.plusSeconds(119), two))
                .isInstanceOfSatisfying(CrmSyncException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_RUN))
                .hasMessageContaining("server-a");
        RunLease renewed = store.renewLease(a, T0.plusSeconds(60), two).orElseThrow();
        assertThat(renewed.expiresAt()).isEqualTo(T0.plusSeconds(180));
        assertThatThrownBy(() -> store.acquireLease("t1-out", "server-b", T0.plusSeconds(179), two))
                .isInstanceOf(CrmSyncException.class);

        RunLease b = store.acquireLease("t1-out", "server-b", T0.plusSeconds(180), two);
        assertThat(b.tookOverFrom()).contains("server-a");
        assertThat(store.renewLease(renewed, T0.plusSeconds(181), two)).isEmpty();
        store.releaseLease(renewed); // the old holder's release leaves the new lease alone
        assertThatThrownBy(() -> store.acquireLease("t1-out", "server-c", T0.plusSeconds(200), two))
                .hasMessageContaining("server-b");

        store.releaseLease(b);
        assertThat(store.acquireLease("t1-out", "server-c", T0.plusSeconds(200), two).tookOverFrom()).isEmpty();
        assertThat(store.acquireLease("t2-out", "server-c", T0.plusSeconds(200), two)).isNotNull();
    }
}
