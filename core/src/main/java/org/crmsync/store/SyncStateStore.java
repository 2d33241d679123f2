package org.crmsync.store;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.report.ReportSink;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;

/**
 * What the engine remembers between runs: the cursor of each job and direction, API calls used per
 * quota key, records to retry, the lease of each job's running run, and reports. crmsync ships
 * {@link FileSyncStateStore} (atomic writes, one process) and {@link InMemorySyncStateStore} for one
 * process, and {@link JdbcSyncStateStore} (PostgreSQL) for many processes on many servers.
 * Implementations are thread-safe, and each method's change is durable when it returns.
 */
public interface SyncStateStore {
    Optional<SyncCursor> cursor(String jobId, SyncDirection direction);

    void saveCursor(String jobId, SyncDirection direction, SyncCursor cursor);

    /** API calls counted for {@code quotaKey} (one CRM account) on {@code day} (UTC). */
    long apiCallsUsed(String quotaKey, LocalDate day);

    /** Counts calls on {@code day} (UTC) without looking at any quota. */
    void addApiCalls(String quotaKey, LocalDate day, long calls);

    /** API calls counted for {@code quotaKey} in the {@code window} that ends at {@code now}. */
    long apiCallsUsed(String quotaKey, QuotaWindow window, Instant now);

    /**
     * Takes up to {@code calls} calls from the quota of {@code quotaKey} in one atomic step: as many as
     * fit under {@code limit} in the window ending at {@code now}, and returns how many it took (0 when
     * the quota is used up). Concurrent reservations, from any process sharing the store, never take
     * more than {@code limit} in all.
     */
    long reserveApiCalls(String quotaKey, QuotaWindow window, Instant now, long calls, long limit);

    /** Gives back calls a reservation made at {@code reservedAt} took and did not use. */
    void returnApiCalls(String quotaKey, QuotaWindow window, Instant reservedAt, long calls);

    /** Records kept for retry, oldest first. */
    List<PendingRecord> pending(String jobId, SyncDirection direction);

    /** Adds or replaces (by key) a record to retry. */
    void savePending(String jobId, SyncDirection direction, PendingRecord record);

    void removePending(String jobId, SyncDirection direction, String key);

    /**
     * Gives the run of {@code jobId} to {@code owner} until {@code now + duration}, unless another
     * run holds an unexpired lease of the job. An expired lease is taken over (its run's server
     * stopped renewing it); the returned lease says whose it was.
     *
     * @throws org.crmsync.CrmSyncException {@code CONCURRENT_RUN} naming the holder when the job's
     *     lease is held by another run
     */
    RunLease acquireLease(String jobId, String owner, Instant now, Duration duration);

    /**
     * Extends the lease to {@code now + duration}; empty when the lease is no longer this holder's
     * (another run took the job over after it expired), in which case the run must stop writing.
     */
    Optional<RunLease> renewLease(RunLease lease, Instant now, Duration duration);

    /** Ends the lease, if it is still the holder's. */
    void releaseLease(RunLease lease);

    /**
     * Where the store keeps every report row of a run that starts now, if it keeps rows at all (the
     * JDBC store does; the bundled single-process stores keep only the reports' samples). The engine
     * writes each row to it and flushes it when the run ends.
     */
    default ReportSink reportRows(String jobId, SyncDirection direction, Instant startedAt) {
        return ReportSink.NONE;
    }

    /** Keeps a finished run's report (implementations may keep only the most recent ones). */
    void saveReport(SyncReport report);

    /** The most recent reports of a job, newest first. */
    List<SyncReport> recentReports(String jobId, int limit);
}
