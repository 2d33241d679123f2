package org.crmsync.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.RecordSource;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.ReportSink;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;

/**
 * A {@link SyncStateStore} in PostgreSQL (12 or newer), for many processes on many servers sharing
 * the state of thousands of jobs: cursors, records to retry, API-call counters with atomic
 * reservations, run leases, run history and every report row. Plain JDBC on the application's
 * {@link DataSource} (use a pool; the driver is the application's dependency, not crmsync's).
 *
 * <p><b>Schema.</b> {@link #open} creates or migrates the tables it needs (named {@code crmsync_*},
 * in the connection's current schema) from the versioned scripts in
 * {@code org/crmsync/store/V<n>__*.sql}, one transaction per version under a PostgreSQL advisory
 * lock, so servers starting at once migrate once; applied versions are recorded in
 * {@code crmsync_schema_version}. A DBA who applies the scripts by hand opens the store with
 * {@link #openWithoutMigrating}, which only checks the version. A database migrated by a newer
 * crmsync is refused rather than misread.
 *
 * <p><b>Guarantees.</b> Every method's change is committed when it returns (PostgreSQL's commit is
 * durable with its default {@code synchronous_commit}), and is one transaction: a method either did
 * all of its change or none. Many processes may use one database at once: reservations of API calls
 * are one conditional statement (or, for rolling windows, a transaction holding the quota key's row
 * lock), and leases are taken with the job's row locked, so no two runs hold a job at once.
 *
 * <p><b>Report rows.</b> Runs write every report row through {@link #reportRows}, in batches of
 * {@value #ROW_BATCH} rows (one statement each), so a run of millions of records holds at most one
 * batch in memory and its full report survives the process; read them back with {@link #runs} and
 * {@link #reportRows(long, long, int)}, page by page. Each job keeps its newest {@code keepRuns}
 * runs; {@link #deleteRunsStartedBefore} deletes older ones of every job.
 *
 * <p>Errors are {@code STORAGE_FAILED} naming what failed and the database, its URL with any
 * password masked. Thread-safe.
 */
public final class JdbcSyncStateStore implements SyncStateStore {
    /** The schema version this crmsync writes and reads. */
    public static final int SCHEMA_VERSION = 1;
    /** Report rows written per statement. */
    static final int ROW_BATCH = 500;
    /** An arbitrary constant naming crmsync's advisory lock for migrations ("crmsync" in ASCII, folded). */
    private static final long MIGRATION_LOCK = 0x63726d73796e63L;
    private static final String[] MIGRATIONS = {"V1__crmsync_state.sql"};
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    private final DataSource dataSource;
    private final String description;
    private final int keepRuns;

    private JdbcSyncStateStore(DataSource dataSource, String description, int keepRuns) {
        this.dataSource = dataSource;
        this.description = description;
        this.keepRuns = keepRuns;
    }

    /**
     * Opens the store on {@code dataSource}, creating or migrating its tables first, keeping the newest
     * {@value InMemorySyncStateStore#DEFAULT_KEEP_REPORTS} runs of each job.
     *
     * @throws CrmSyncException {@code STORAGE_FAILED} when the database cannot be reached or migrated,
     *     or was migrated by a newer crmsync
     */
    public static JdbcSyncStateStore open(DataSource dataSource) {
        return open(dataSource, InMemorySyncStateStore.DEFAULT_KEEP_REPORTS);
    }

    /**
     * Opens the store, creating or migrating its tables first.
     *
     * @param keepRuns how many of each job's newest runs (history, report and rows) to keep, at least 1;
     *     older ones are deleted when a run of the job saves its report
     */
    public static JdbcSyncStateStore open(DataSource dataSource, int keepRuns) {
        return open(dataSource, keepRuns, true);
    }

    /** Opens the store on tables a DBA created from the scripts; fails when their version is not this one's. */
    public static JdbcSyncStateStore openWithoutMigrating(DataSource dataSource, int keepRuns) {
        return open(dataSource, keepRuns, false);
    }

    private static JdbcSyncStateStore open(DataSource dataSource, int keepRuns, boolean migrate) {
        requireNonNull(dataSource, "dataSource");
        InMemorySyncStateStore.requireKeepReports(keepRuns);
        String description = "the database";
        try (Connection c = dataSource.getConnection()) {
            description = "the database " + JdbcUrls.masked(c.getMetaData().getURL());
            int version = migrate ? migrate(c) : schemaVersion(c);
            if (version != SCHEMA_VERSION) {
                throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "the crmsync tables in " + description
                        + " are at schema version " + version + "; this crmsync needs version " + SCHEMA_VERSION
                        + (version > SCHEMA_VERSION ? " (they were migrated by a newer crmsync: upgrade this one)"
                                : " (open the store with JdbcSyncStateStore.open to migrate them, or apply the"
                                        + " scripts in org/crmsync/store)"));
            }
            return new JdbcSyncStateStore(dataSource, description, keepRuns);
        } catch (SQLException e) {
            throw failure("open the crmsync state store in " + description, e);
        }
    }

    private static int migrate(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            s.execute("CREATE TABLE IF NOT EXISTS crmsync_schema_version (version INTEGER PRIMARY KEY,"
                    + " script TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
            int version = schemaVersion(c);
            for (int v = version + 1; v <= MIGRATIONS.length; v++) {
                for (String statement : statements(MIGRATIONS[v - 1])) {
                    s.execute(statement);
                }
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO crmsync_schema_version (version, script) VALUES (?, ?)")) {
                    p.setInt(1, v);
                    p.setString(2, MIGRATIONS[v - 1]);
                    p.executeUpdate();
                }
                version = v;
            }
            c.commit();
            return version;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static int schemaVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT to_regclass('crmsync_schema_version') IS NOT NULL")) {
            r.next();
            if (!r.getBoolean(1)) {
                return 0;
            }
        }
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM crmsync_schema_version")) {
            r.next();
            return r.getInt(1);
        }
    }

    /** The statements of a migration script: separated by lines holding only ';', comments dropped. */
    static List<String> statements(String script) {
        String text;
        try (InputStream in = JdbcSyncStateStore.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IllegalStateException("the migration script " + script + " is missing from crmsync-core");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("could not read the migration script " + script, e);
        }
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.strip().equals(";")) {
                statements.add(current.toString().strip());
                current.setLength(0);
            } else if (!line.strip().startsWith("--")) {
                current.append(line).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    // ---- cursors ----

    @Override
    public Optional<SyncCursor> cursor(String jobId, SyncDirection direction) {
        requireJob(jobId, direction);
        return query("read the cursor of job " + jobId, c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT cursor_values FROM crmsync_cursor WHERE job_id = ? AND direction = ?")) {
                p.setString(1, jobId);
                p.setString(2, direction.name());
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new SyncCursor(fromJson(r.getString(1)))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void saveCursor(String jobId, SyncDirection direction, SyncCursor cursor) {
        requireJob(jobId, direction);
        requireNonNull(cursor, "cursor");
        update("save the cursor of job " + jobId, c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO crmsync_cursor (job_id, direction,"
                    + " cursor_values, updated_at) VALUES (?, ?, CAST(? AS JSONB), now()) ON CONFLICT (job_id, direction)"
                    + " DO UPDATE SET cursor_values = EXCLUDED.cursor_values, updated_at = now()")) {
                p.setString(1, jobId);
                p.setString(2, direction.name());
                p.setString(3, toJson(cursor.values()));
                p.executeUpdate();
            }
            return null;
        });
    }

    // ---- API calls ----

    @Override
    public long apiCallsUsed(String quotaKey, LocalDate day) {
        requireNonNull(quotaKey, "quotaKey");
        requireNonNull(day, "day");
        return apiCallsUsed(quotaKey, QuotaWindow.UTC_DAY, day.atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    @Override
    public void addApiCalls(String quotaKey, LocalDate day, long calls) {
        requireNonNull(quotaKey, "quotaKey");
        requireNonNull(day, "day");
        if (calls < 0) {
            throw new IllegalArgumentException("calls must not be negative; got " + calls);
        }
        if (calls > 0) {
            changeBucket(quotaKey, QuotaWindow.UTC_DAY, day.atStartOfDay(ZoneOffset.UTC).toInstant(), calls);
        }
    }

    @Override
    public long apiCallsUsed(String quotaKey, QuotaWindow window, Instant now) {
        requireNonNull(quotaKey, "quotaKey");
        requireNonNull(window, "window");
        requireNonNull(now, "now");
        return query("read the API calls of " + quotaKey, c -> usedIn(c, quotaKey, window, now));
    }

    private static long usedIn(Connection c, String quotaKey, QuotaWindow window, Instant now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT COALESCE(SUM(used), 0) FROM crmsync_api_calls"
                + " WHERE quota_key = ? AND bucket_kind = ? AND bucket_start >= ? AND bucket_start <= ?")) {
            p.setString(1, quotaKey);
            p.setString(2, kind(window));
            p.setObject(3, time(firstCountedBucket(window, now)));
            p.setObject(4, time(bucket(window, now)));
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /**
     * One statement for a UTC day: the bucket's row is created or locked by the upsert, and the grant
     * ({@code LEAST(asked, limit - used)}, computed from the row as it was) is added and read back
     * through {@code last_grant}; a full bucket matches no row and grants nothing. A rolling window
     * sums 25 hour buckets, so it locks the quota key's row first and does the same in one transaction.
     */
    @Override
    public long reserveApiCalls(String quotaKey, QuotaWindow window, Instant now, long calls, long limit) {
        requireNonNull(quotaKey, "quotaKey");
        requireNonNull(window, "window");
        requireNonNull(now, "now");
        if (calls < 0 || limit < 0) {
            throw new IllegalArgumentException("calls and limit must not be negative; got " + calls + " and " + limit);
        }
        if (calls == 0) {
            return 0;
        }
        if (window == QuotaWindow.UTC_DAY) {
            return update("reserve API calls of " + quotaKey, c -> {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO crmsync_api_calls AS q (quota_key,"
                        + " bucket_kind, bucket_start, used, last_grant) VALUES (?, ?, ?, LEAST(?, ?), LEAST(?, ?))"
                        + " ON CONFLICT (quota_key, bucket_kind, bucket_start) DO UPDATE"
                        + " SET last_grant = LEAST(?, ? - q.used), used = q.used + LEAST(?, ? - q.used)"
                        + " WHERE q.used < ? RETURNING last_grant, xmax = 0")) {
                    int i = 1;
                    p.setString(i++, quotaKey);
                    p.setString(i++, kind(window));
                    p.setObject(i++, time(bucket(window, now)));
                    for (int k = 0; k < 4; k++) {
                        p.setLong(i++, calls);
                        p.setLong(i++, limit);
                    }
                    p.setLong(i, limit);
                    try (ResultSet r = p.executeQuery()) {
                        if (!r.next()) {
                            return 0L;
                        }
                        if (r.getBoolean(2)) {
                            dropOldBuckets(c, quotaKey, window, bucket(window, now));
                        }
                        return Math.max(0, r.getLong(1));
                    }
                }
            });
        }
        return update("reserve API calls of " + quotaKey, c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO crmsync_quota_lock (quota_key) VALUES (?) ON CONFLICT DO NOTHING")) {
                p.setString(1, quotaKey);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT quota_key FROM crmsync_quota_lock WHERE quota_key = ? FOR UPDATE")) {
                p.setString(1, quotaKey);
                p.executeQuery().close();
            }
            long granted = Math.max(0, Math.min(calls, limit - usedIn(c, quotaKey, window, now)));
            if (granted > 0) {
                addToBucket(c, quotaKey, window, bucket(window, now), granted);
            }
            return granted;
        });
    }

    @Override
    public void returnApiCalls(String quotaKey, QuotaWindow window, Instant reservedAt, long calls) {
        requireNonNull(quotaKey, "quotaKey");
        requireNonNull(window, "window");
        requireNonNull(reservedAt, "reservedAt");
        if (calls < 0) {
            throw new IllegalArgumentException("calls must not be negative; got " + calls);
        }
        if (calls > 0) {
            changeBucket(quotaKey, window, bucket(window, reservedAt), -calls);
        }
    }

    private void changeBucket(String quotaKey, QuotaWindow window, Instant bucketStart, long delta) {
        update("count API calls of " + quotaKey, c -> {
            addToBucket(c, quotaKey, window, bucketStart, delta);
            return null;
        });
    }

    private static void addToBucket(Connection c, String quotaKey, QuotaWindow window, Instant bucketStart, long delta)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO crmsync_api_calls AS q (quota_key, bucket_kind,"
                + " bucket_start, used) VALUES (?, ?, ?, GREATEST(0, ?)) ON CONFLICT (quota_key, bucket_kind,"
                + " bucket_start) DO UPDATE SET used = GREATEST(0, q.used + ?) RETURNING xmax = 0")) {
            p.setString(1, quotaKey);
            p.setString(2, kind(window));
            p.setObject(3, time(bucketStart));
            p.setLong(4, delta);
            p.setLong(5, delta);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                if (r.getBoolean(1)) {
                    dropOldBuckets(c, quotaKey, window, bucketStart);
                }
            }
        }
    }

    /**
     * When a key starts a new bucket, its buckets that no longer count are deleted: days a week older
     * (kept that long for people reading the table, as the file store does), hours two days older.
     */
    private static void dropOldBuckets(Connection c, String quotaKey, QuotaWindow window, Instant newest)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM crmsync_api_calls WHERE quota_key = ? AND"
                + " bucket_kind = ? AND bucket_start < ?")) {
            p.setString(1, quotaKey);
            p.setString(2, kind(window));
            p.setObject(3, time(newest.minus(window == QuotaWindow.UTC_DAY
                    ? Duration.ofDays(InMemorySyncStateStore.API_CALL_DAYS_KEPT) : Duration.ofHours(48))));
            p.executeUpdate();
        }
    }

    private static String kind(QuotaWindow window) {
        return window == QuotaWindow.UTC_DAY ? "DAY" : "HOUR";
    }

    private static Instant bucket(QuotaWindow window, Instant at) {
        return at.truncatedTo(window == QuotaWindow.UTC_DAY ? ChronoUnit.DAYS : ChronoUnit.HOURS);
    }

    /** The oldest bucket still counted: today's for a UTC day; the hour 24 hours ago for a rolling window. */
    private static Instant firstCountedBucket(QuotaWindow window, Instant now) {
        Instant current = bucket(window, now);
        return window == QuotaWindow.UTC_DAY ? current : current.minus(Duration.ofHours(24));
    }

    // ---- pending records ----

    @Override
    public List<PendingRecord> pending(String jobId, SyncDirection direction) {
        requireJob(jobId, direction);
        return query("read the records kept for retry of job " + jobId, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT record_key, attempts, last_error, first_failed_at,"
                    + " remote_fields, source FROM crmsync_pending WHERE job_id = ? AND direction = ?"
                    + " ORDER BY position")) {
                p.setString(1, jobId);
                p.setString(2, direction.name());
                List<PendingRecord> records = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        String source = r.getString(6);
                        records.add(new PendingRecord(r.getString(1), r.getInt(2), r.getString(3), instant(r, 4),
                                fromJson(r.getString(5)),
                                source == null ? Optional.empty() : Optional.of(RecordSource.valueOf(source))));
                    }
                }
                return List.copyOf(records);
            }
        });
    }

    @Override
    public void savePending(String jobId, SyncDirection direction, PendingRecord record) {
        requireJob(jobId, direction);
        requireNonNull(record, "record");
        update("keep a record for retry for job " + jobId, c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO crmsync_pending (job_id, direction, record_key,"
                    + " attempts, last_error, first_failed_at, remote_fields, source) VALUES (?, ?, ?, ?, ?, ?,"
                    + " CAST(? AS JSONB), ?) ON CONFLICT (job_id, direction, record_key) DO UPDATE SET"
                    + " attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error,"
                    + " first_failed_at = EXCLUDED.first_failed_at, remote_fields = EXCLUDED.remote_fields,"
                    + " source = EXCLUDED.source")) {
                p.setString(1, jobId);
                p.setString(2, direction.name());
                p.setString(3, record.key());
                p.setInt(4, record.attempts());
                p.setString(5, record.lastError());
                p.setObject(6, time(record.firstFailedAt()));
                p.setString(7, toJson(new TreeMap<>(record.remoteFields())));
                p.setString(8, record.source().map(Enum::name).orElse(null));
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void removePending(String jobId, SyncDirection direction, String key) {
        requireJob(jobId, direction);
        requireNonNull(key, "key");
        update("drop a record kept for retry for job " + jobId, c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "DELETE FROM crmsync_pending WHERE job_id = ? AND direction = ? AND record_key = ?")) {
                p.setString(1, jobId);
                p.setString(2, direction.name());
                p.setString(3, key);
                p.executeUpdate();
            }
            return null;
        });
    }

    // ---- leases ----

    /**
     * With the job's lease row locked ({@code SELECT ... FOR UPDATE}), or inserted when there is none:
     * an unexpired lease of another holder refuses; an expired one is replaced. Times are the callers'
     * clocks, so the servers' clocks must agree to well within a lease's duration (NTP does).
     */
    @Override
    public RunLease acquireLease(String jobId, String owner, Instant now, Duration duration) {
        StoreFiles.requireSafeJobId(jobId);
        requireNonNull(owner, "owner");
        requireNonNull(now, "now");
        InMemorySyncStateStore.requireLeaseDuration(duration);
        String token = UUID.randomUUID().toString();
        Instant until = now.plus(duration);
        return update("take the lease of job " + jobId, c -> {
            // A lease released between the insert and the select is gone: try the insert again.
            for (int attempt = 0; ; attempt++) {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO crmsync_lease (job_id, owner, token,"
                        + " acquired_at, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING")) {
                    insert.setString(1, jobId);
                    insert.setString(2, owner);
                    insert.setString(3, token);
                    insert.setObject(4, time(now));
                    insert.setObject(5, time(until));
                    if (insert.executeUpdate() == 1) {
                        return new RunLease(jobId, owner, token, until, Optional.empty());
                    }
                }
                try (PreparedStatement p = c.prepareStatement(
                        "SELECT owner, expires_at FROM crmsync_lease WHERE job_id = ? FOR UPDATE")) {
                    p.setString(1, jobId);
                    try (ResultSet r = p.executeQuery()) {
                        if (!r.next()) {
                            if (attempt < 10) {
                                continue;
                            }
                            throw new SQLException("the lease row of job " + jobId + " keeps appearing and vanishing");
                        }
                        String heldBy = r.getString(1);
                        Instant heldUntil = instant(r, 2);
                        if (heldUntil.isAfter(now)) {
                            throw InMemorySyncStateStore.leaseHeld(jobId, heldBy, heldUntil);
                        }
                        try (PreparedStatement u = c.prepareStatement("UPDATE crmsync_lease SET owner = ?, token = ?,"
                                + " acquired_at = ?, expires_at = ? WHERE job_id = ?")) {
                            u.setString(1, owner);
                            u.setString(2, token);
                            u.setObject(3, time(now));
                            u.setObject(4, time(until));
                            u.setString(5, jobId);
                            u.executeUpdate();
                        }
                        return new RunLease(jobId, owner, token, until, Optional.of(heldBy));
                    }
                }
            }
        });
    }

    @Override
    public Optional<RunLease> renewLease(RunLease lease, Instant now, Duration duration) {
        requireNonNull(lease, "lease");
        requireNonNull(now, "now");
        InMemorySyncStateStore.requireLeaseDuration(duration);
        Instant until = now.plus(duration);
        return update("renew the lease of job " + lease.jobId(), c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "UPDATE crmsync_lease SET expires_at = ? WHERE job_id = ? AND token = ?")) {
                p.setObject(1, time(until));
                p.setString(2, lease.jobId());
                p.setString(3, lease.token());
                return p.executeUpdate() == 1 ? Optional.of(lease.renewedUntil(until)) : Optional.<RunLease>empty();
            }
        });
    }

    @Override
    public void releaseLease(RunLease lease) {
        requireNonNull(lease, "lease");
        update("release the lease of job " + lease.jobId(), c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM crmsync_lease WHERE job_id = ? AND token = ?")) {
                p.setString(1, lease.jobId());
                p.setString(2, lease.token());
                p.executeUpdate();
            }
            return null;
        });
    }

    // ---- runs and report rows ----

    /**
     * A sink that starts the run's row in {@code crmsync_run} and writes its report rows in batches of
     * {@value #ROW_BATCH}, each batch one statement; {@link ReportSink#flush} writes the last batch.
     * A batch that cannot be written throws {@code STORAGE_FAILED} (the engine then stops sending rows
     * to it and the run goes on).
     */
    @Override
    public ReportSink reportRows(String jobId, SyncDirection direction, Instant startedAt) {
        requireJob(jobId, direction);
        requireNonNull(startedAt, "startedAt");
        long runId = update("start the run history of job " + jobId, c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO crmsync_run (job_id, direction, started_at)"
                    + " VALUES (?, ?, ?) RETURNING run_id")) {
                p.setString(1, jobId);
                p.setString(2, direction.name());
                p.setObject(3, time(startedAt));
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            }
        });
        return new RowWriter(runId, jobId);
    }

    /** Buffers up to one batch of a run's rows; not thread-safe (the engine calls it on the run's thread). */
    private final class RowWriter implements ReportSink {
        private final long runId;
        private final String jobId;
        private final List<RecordResult> batch = new ArrayList<>(ROW_BATCH);
        private long written;

        RowWriter(long runId, String jobId) {
            this.runId = runId;
            this.jobId = jobId;
        }

        @Override
        public void accept(RecordResult row) {
            batch.add(requireNonNull(row, "row"));
            if (batch.size() == ROW_BATCH) {
                write();
            }
        }

        @Override
        public void flush() {
            if (!batch.isEmpty()) {
                write();
            }
        }

        private void write() {
            int n = batch.size();
            Long[] numbers = new Long[n];
            String[][] columns = new String[7][n];
            for (int i = 0; i < n; i++) {
                RecordResult r = batch.get(i);
                numbers[i] = written + i + 1;
                columns[0][i] = r.key();
                columns[1][i] = r.direction().name();
                columns[2][i] = r.outcome().name();
                columns[3][i] = r.reason().name();
                columns[4][i] = r.message();
                columns[5][i] = r.localId().orElse(null);
                columns[6][i] = r.remoteId().orElse(null);
            }
            update("write report rows of job " + jobId, c -> {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO crmsync_report_row (run_id, row_no,"
                        + " record_key, direction, outcome, reason, message, local_id, remote_id)"
                        + " SELECT ?, * FROM unnest(?::BIGINT[], ?::TEXT[], ?::TEXT[], ?::TEXT[], ?::TEXT[],"
                        + " ?::TEXT[], ?::TEXT[], ?::TEXT[])")) {
                    p.setLong(1, runId);
                    List<Array> arrays = new ArrayList<>();
                    arrays.add(c.createArrayOf("bigint", numbers));
                    for (String[] column : columns) {
                        arrays.add(c.createArrayOf("text", column));
                    }
                    for (int i = 0; i < arrays.size(); i++) {
                        p.setArray(i + 2, arrays.get(i));
                    }
                    p.executeUpdate();
                    for (Array a : arrays) {
                        a.free();
                    }
                }
                try (PreparedStatement p = c.prepareStatement(
                        "UPDATE crmsync_run SET row_count = ? WHERE run_id = ?")) {
                    p.setLong(1, written + n);
                    p.setLong(2, runId);
                    p.executeUpdate();
                }
                return null;
            });
            written += n;
            batch.clear();
        }
    }

    /**
     * Completes the run's history row that {@link #reportRows} started (the newest unfinished one of
     * the job, direction and start time), or adds one for a run that wrote no rows here.
     */
    @Override
    public void saveReport(SyncReport report) {
        requireNonNull(report, "report");
        StoreFiles.requireSafeJobId(report.jobId());
        String json = report.toJson();
        update("keep the report of job " + report.jobId(), c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE crmsync_run SET finished_at = ?, status = ?,"
                    + " report_json = ?, row_count = GREATEST(row_count, ?) WHERE run_id = (SELECT MAX(run_id) FROM crmsync_run WHERE job_id = ? AND"
                    + " direction = ? AND started_at = ? AND finished_at IS NULL)")) {
                p.setObject(1, time(report.finishedAt()));
                p.setString(2, report.status().name());
                p.setString(3, json);
                p.setLong(4, report.rowCount());
                p.setString(5, report.jobId());
                p.setString(6, report.direction().name());
                p.setObject(7, time(report.startedAt()));
                if (p.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO crmsync_run (job_id, direction, started_at,"
                    + " finished_at, status, report_json, row_count) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                p.setLong(7, report.rowCount());
                p.setString(1, report.jobId());
                p.setString(2, report.direction().name());
                p.setObject(3, time(report.startedAt()));
                p.setObject(4, time(report.finishedAt()));
                p.setString(5, report.status().name());
                p.setString(6, json);
                p.executeUpdate();
            }
            return null;
        });
        update("delete the old runs of job " + report.jobId(), c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM crmsync_run WHERE run_id IN (SELECT run_id"
                    + " FROM crmsync_run WHERE job_id = ? ORDER BY started_at DESC, run_id DESC OFFSET ?)")) {
                p.setString(1, report.jobId());
                p.setInt(2, keepRuns);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<SyncReport> recentReports(String jobId, int limit) {
        StoreFiles.requireSafeJobId(jobId);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative; got " + limit);
        }
        return query("read the reports of job " + jobId, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT report_json FROM crmsync_run WHERE job_id = ?"
                    + " AND report_json IS NOT NULL ORDER BY started_at DESC, run_id DESC LIMIT ?")) {
                p.setString(1, jobId);
                p.setInt(2, limit);
                List<SyncReport> reports = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        reports.add(SyncReport.readJson(new StringReader(r.getString(1))));
                    }
                }
                return List.copyOf(reports);
            }
        });
    }

    /**
     * One run in the history: its id (for {@link #reportRows(long, long, int)}), what and when, and
     * how it ended; {@code finishedAt} and {@code status} are empty for a run still going on or whose
     * server died.
     */
    public record StoredRun(long runId, String jobId, SyncDirection direction, Instant startedAt,
            Optional<Instant> finishedAt, Optional<String> status, long rowCount) {
    }

    /** One report row as stored: its number in the run (from 1) and the row. */
    public record StoredRow(long rowNo, RecordResult row) {
    }

    /** The job's newest runs, newest first, unfinished ones included. */
    public List<StoredRun> runs(String jobId, int limit) {
        StoreFiles.requireSafeJobId(jobId);
        return query("read the runs of job " + jobId, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT run_id, job_id, direction, started_at, finished_at,"
                    + " status, row_count FROM crmsync_run WHERE job_id = ? ORDER BY started_at DESC, run_id DESC"
                    + " LIMIT ?")) {
                p.setString(1, jobId);
                p.setInt(2, limit);
                List<StoredRun> runs = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        OffsetDateTime finished = r.getObject(5, OffsetDateTime.class);
                        runs.add(new StoredRun(r.getLong(1), r.getString(2), SyncDirection.valueOf(r.getString(3)),
                                instant(r, 4), Optional.ofNullable(finished).map(OffsetDateTime::toInstant),
                                Optional.ofNullable(r.getString(6)), r.getLong(7)));
                    }
                }
                return List.copyOf(runs);
            }
        });
    }

    /**
     * A page of a run's report rows: at most {@code limit} rows numbered after {@code afterRow}, in
     * order. Start with 0 and pass the last row's number to get the next page; an empty page is the end.
     */
    public List<StoredRow> reportRows(long runId, long afterRow, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative; got " + limit);
        }
        return query("read the report rows of run " + runId, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT row_no, record_key, direction, outcome, reason,"
                    + " message, local_id, remote_id FROM crmsync_report_row WHERE run_id = ? AND row_no > ?"
                    + " ORDER BY row_no LIMIT ?")) {
                p.setLong(1, runId);
                p.setLong(2, afterRow);
                p.setInt(3, limit);
                List<StoredRow> rows = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        rows.add(new StoredRow(r.getLong(1), new RecordResult(r.getString(2),
                                SyncDirection.valueOf(r.getString(3)), Outcome.valueOf(r.getString(4)),
                                Reason.valueOf(r.getString(5)), r.getString(6), Optional.ofNullable(r.getString(7)),
                                Optional.ofNullable(r.getString(8)))));
                    }
                }
                return List.copyOf(rows);
            }
        });
    }

    /** Deletes the runs (and their rows) of every job that started before {@code instant}; returns how many. */
    public int deleteRunsStartedBefore(Instant instant) {
        requireNonNull(instant, "instant");
        return update("delete old runs", c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM crmsync_run WHERE started_at < ?")) {
                p.setObject(1, time(instant));
                return p.executeUpdate();
            }
        });
    }

    @Override
    public String toString() {
        return "JdbcSyncStateStore{" + description + "}";
    }

    // ---- plumbing ----

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs one statement (or reads) with auto-commit. */
    private <T> T query(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw failure("could not " + what + " in " + description, e);
        }
    }

    /** Runs statements in one transaction, committed before it returns. */
    private <T> T update(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw failure("could not " + what + " in " + description, e);
        }
    }

    private static CrmSyncException failure(String what, SQLException e) {
        return new CrmSyncException(ErrorCode.STORAGE_FAILED, what + ": " + e.getMessage()
                + (e.getSQLState() == null ? "" : " (SQL state " + e.getSQLState() + ")"), e);
    }

    private static void requireJob(String jobId, SyncDirection direction) {
        StoreFiles.requireSafeJobId(jobId);
        requireNonNull(direction, "direction");
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet r, int column) throws SQLException {
        return r.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static String toJson(Map<String, String> values) {
        try {
            return StoreFiles.JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a string map as JSON", e);
        }
    }

    private static Map<String, String> fromJson(String json) {
        try {
            return new LinkedHashMap<>(StoreFiles.JSON.readValue(json, STRING_MAP));
        } catch (JsonProcessingException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "a stored value is not the JSON string map crmsync"
                    + " wrote: " + e.getOriginalMessage(), e);
        }
    }
}
