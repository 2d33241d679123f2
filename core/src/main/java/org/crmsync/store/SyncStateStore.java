package org.crmsync.store;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;

/**
 * What the engine remembers between runs: the cursor of each job and direction, API calls used per
 * quota key and UTC day, records to retry, and recent reports. crmsync ships
 * {@link FileSyncStateStore} (atomic writes) and {@link InMemorySyncStateStore}. Implementations are
 * thread-safe, and each method's change is durable when it returns.
 */
public interface SyncStateStore {
    Optional<SyncCursor> cursor(String jobId, SyncDirection direction);

    void saveCursor(String jobId, SyncDirection direction, SyncCursor cursor);

    /** API calls counted for {@code quotaKey} (one CRM account) on {@code day}. */
    long apiCallsUsed(String quotaKey, LocalDate day);

    void addApiCalls(String quotaKey, LocalDate day, long calls);

    /** Records kept for retry, oldest first. */
    List<PendingRecord> pending(String jobId, SyncDirection direction);

    /** Adds or replaces (by key) a record to retry. */
    void savePending(String jobId, SyncDirection direction, PendingRecord record);

    void removePending(String jobId, SyncDirection direction, String key);

    /** Keeps a finished run's report (implementations may keep only the most recent ones). */
    void saveReport(SyncReport report);

    /** The most recent reports of a job, newest first. */
    List<SyncReport> recentReports(String jobId, int limit);
}
