package org.crmsync.engine;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.report.ReportSink;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;
import org.crmsync.store.PendingRecord;
import org.crmsync.store.RunLease;
import org.crmsync.store.SyncStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's state store as one run sees it while it holds the job's lease: every write of the run's
 * progress (a cursor, a record kept for retry or dropped from retry) first makes sure the lease is
 * still this run's, and fails with {@code CONCURRENT_RUN} instead of writing once it is another run's.
 * So a run whose server stalled past its lease (a long pause, a lost network) cannot move the cursor
 * under the run that took the job over. While more than two thirds of the lease's duration is left
 * since it was last renewed, nobody else can have it and the write goes ahead; otherwise the lease is
 * renewed first. The renewal and the write are two steps: the lease's duration must be much longer
 * than one write (it is minutes; a write takes milliseconds).
 */
final class LeasedStateStore implements SyncStateStore {
    private static final Logger LOG = LoggerFactory.getLogger(LeasedStateStore.class);

    private final SyncStateStore store;
    private final Clock clock;
    private final Duration duration;
    private RunLease lease;
    private boolean lost;
    private ScheduledFuture<?> renewing;

    LeasedStateStore(SyncStateStore store, RunLease lease, Clock clock, Duration duration) {
        this.store = requireNonNull(store, "store");
        this.lease = lease;
        this.clock = clock;
        this.duration = duration;
    }

    synchronized void renewingBy(ScheduledFuture<?> task) {
        this.renewing = task;
    }

    /** Renews the lease; false once it is lost. Called at every write and by the engine's renewal timer. */
    synchronized boolean renew() {
        if (lost) {
            return false;
        }
        Optional<RunLease> renewed = store.renewLease(lease, clock.instant(), duration);
        if (renewed.isEmpty()) {
            lost = true;
            LOG.warn("the lease of sync job {} was taken over by another run; this run stops writing", lease.jobId());
            return false;
        }
        lease = renewed.get();
        return true;
    }

    /** For the renewal timer: a store that fails for a moment is logged, and the next renewal tries again. */
    void renewQuietly() {
        try {
            renew();
        } catch (RuntimeException e) {
            LOG.warn("could not renew the lease of sync job {}: {}", lease.jobId(), e.toString());
        }
    }

    private void requireLease() {
        synchronized (this) {
            if (!lost && clock.instant().isBefore(lease.expiresAt().minus(duration.multipliedBy(2).dividedBy(3)))) {
                return;
            }
        }
        if (!renew()) {
            throw new CrmSyncException(ErrorCode.CONCURRENT_RUN, "sync job " + lease.jobId() + " lost its lease: it"
                    + " expired and another run took the job over, which carries on from the last checkpoint; this"
                    + " run stopped without writing its progress");
        }
    }

    /** Stops renewing and ends the lease (unless it was lost). */
    synchronized void release() {
        if (renewing != null) {
            renewing.cancel(false);
        }
        if (!lost) {
            try {
                store.releaseLease(lease);
            } catch (RuntimeException e) {
                LOG.warn("could not release the lease of sync job {}; it expires at {}: {}", lease.jobId(),
                        lease.expiresAt(), e.toString());
            }
        }
    }

    SyncStateStore store() {
        return store;
    }

    @Override
    public Optional<SyncCursor> cursor(String jobId, SyncDirection direction) {
        return store.cursor(jobId, direction);
    }

    @Override
    public void saveCursor(String jobId, SyncDirection direction, SyncCursor cursor) {
        requireLease();
        store.saveCursor(jobId, direction, cursor);
    }

    @Override
    public long apiCallsUsed(String quotaKey, LocalDate day) {
        return store.apiCallsUsed(quotaKey, day);
    }

    @Override
    public void addApiCalls(String quotaKey, LocalDate day, long calls) {
        store.addApiCalls(quotaKey, day, calls);
    }

    @Override
    public long apiCallsUsed(String quotaKey, QuotaWindow window, Instant now) {
        return store.apiCallsUsed(quotaKey, window, now);
    }

    @Override
    public long reserveApiCalls(String quotaKey, QuotaWindow window, Instant now, long calls, long limit) {
        return store.reserveApiCalls(quotaKey, window, now, calls, limit);
    }

    @Override
    public void returnApiCalls(String quotaKey, QuotaWindow window, Instant reservedAt, long calls) {
        store.returnApiCalls(quotaKey, window, reservedAt, calls);
    }

    @Override
    public List<PendingRecord> pending(String jobId, SyncDirection direction) {
        return store.pending(jobId, direction);
    }

    @Override
    public void savePending(String jobId, SyncDirection direction, PendingRecord record) {
        requireLease();
        store.savePending(jobId, direction, record);
    }

    @Override
    public void removePending(String jobId, SyncDirection direction, String key) {
        requireLease();
        store.removePending(jobId, direction, key);
    }

    @Override
    public RunLease acquireLease(String jobId, String owner, Instant now, Duration leaseDuration) {
        return store.acquireLease(jobId, owner, now, leaseDuration);
    }

    @Override
    public Optional<RunLease> renewLease(RunLease other, Instant now, Duration leaseDuration) {
        return store.renewLease(other, now, leaseDuration);
    }

    @Override
    public void releaseLease(RunLease other) {
        store.releaseLease(other);
    }

    @Override
    public ReportSink reportRows(String jobId, SyncDirection direction, Instant startedAt) {
        return store.reportRows(jobId, direction, startedAt);
    }

    @Override
    public void saveReport(SyncReport report) {
        store.saveReport(report);
    }

    @Override
    public List<SyncReport> recentReports(String jobId, int limit) {
        return store.recentReports(jobId, limit);
    }
}
