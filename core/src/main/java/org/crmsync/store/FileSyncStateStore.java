package org.crmsync.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;

/**
 * The default {@link SyncStateStore}: a directory holding {@code state.json} (cursors, API calls per
 * quota key and day, records to retry) and {@code reports/<jobId>/<startedAt>-<direction>.json}.
 *
 * <p>The state is held by an {@link InMemorySyncStateStore} and {@code state.json} is rewritten
 * atomically (temp file in the same directory, forced to disk, renamed over the old file) after every
 * change, before the method returns. Each job keeps its newest {@code keepReports} reports (by start
 * time); older report files are deleted.
 *
 * <p>While open, the store holds its directory: no other store may open it, in this process (a
 * registry of open directories) or another (an exclusive lock on {@code .lock} in the directory). A
 * second open fails with {@code CONCURRENT_RUN} instead of overwriting this one's state, and leaves
 * this one's lock in force. Close the store to release the directory. Thread-safe.
 *
 * <p>When writing {@code state.json} fails, the method throws {@code STORAGE_FAILED} and the change
 * it made is not saved. The store then releases the directory and every later call throws
 * {@code STORAGE_FAILED} too, instead of serving the unsaved change or saving it with the next one;
 * open the directory again to continue from what is on disk. (A report file that cannot be written
 * fails only that {@link #saveReport} call: reports are not kept in memory.)
 *
 * <p>Leases are kept in memory only: the directory belongs to one open store, so runs that share it
 * are in this process. After a crash no lease survives, and the next run resumes from the last
 * checkpoint in {@code state.json}.
 *
 * <p>A {@code state.json} that cannot be read fails the open with {@code STORAGE_FAILED}; the store
 * never starts over from scratch on its own, which would sync everything again and drop the records
 * waiting for a retry.
 */
public final class FileSyncStateStore implements SyncStateStore, AutoCloseable {
    /** The state file, inside the store's directory. */
    public static final String STATE_FILE = "state.json";
    /** The directory of saved reports, inside the store's directory. */
    public static final String REPORTS_DIRECTORY = "reports";
    static final String LOCK_FILE = StoreDirectory.LOCK_FILE;

    /** Fixed width, so file names sort in time order. */
    private static final DateTimeFormatter REPORT_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH-mm-ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern REPORT_FILE = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{9}Z)-(" + SyncDirection.INBOUND + "|"
                    + SyncDirection.OUTBOUND + "|" + SyncDirection.ACTIVITIES + ")(?:-(\\d{1,9}))?\\.json");
    /** Oldest first: by start time, then by the number that tells apart reports started at the same instant. */
    private static final Comparator<ReportFile> OLDEST_FIRST = Comparator.comparing(ReportFile::startedAt)
            .thenComparingInt(ReportFile::number)
            .thenComparing(ReportFile::direction);

    private final int keepReports;
    private final StoreDirectory<InMemorySyncStateStore> store;

    private FileSyncStateStore(int keepReports, StoreDirectory<InMemorySyncStateStore> store) {
        this.keepReports = keepReports;
        this.store = store;
    }

    /** Opens (or starts) the store in {@code directory}, keeping {@value InMemorySyncStateStore#DEFAULT_KEEP_REPORTS} reports per job. */
    public static FileSyncStateStore open(Path directory) {
        return open(directory, InMemorySyncStateStore.DEFAULT_KEEP_REPORTS);
    }

    /**
     * Opens (or starts) the store in {@code directory}, creating the directory when needed.
     *
     * @param keepReports how many of each job's newest reports to keep, at least 1
     * @throws CrmSyncException {@code STORAGE_FAILED} naming {@code state.json} when it is corrupt;
     *     {@code CONCURRENT_RUN} when another open store holds the directory
     */
    public static FileSyncStateStore open(Path directory, int keepReports) {
        requireNonNull(directory, "directory");
        InMemorySyncStateStore.requireKeepReports(keepReports);
        return new FileSyncStateStore(keepReports, StoreDirectory.open(directory, "sync state", STATE_FILE,
                root -> InMemorySyncStateStore.fromJson(root, keepReports),
                () -> new InMemorySyncStateStore(keepReports),
                InMemorySyncStateStore::version, InMemorySyncStateStore::toJson));
    }

    @Override
    public synchronized Optional<SyncCursor> cursor(String jobId, SyncDirection direction) {
        return state().cursor(jobId, direction);
    }

    @Override
    public synchronized void saveCursor(String jobId, SyncDirection direction, SyncCursor cursor) {
        state().saveCursor(jobId, direction, cursor);
        store.writeIfChanged();
    }

    @Override
    public synchronized long apiCallsUsed(String quotaKey, LocalDate day) {
        return state().apiCallsUsed(quotaKey, day);
    }

    @Override
    public synchronized void addApiCalls(String quotaKey, LocalDate day, long calls) {
        state().addApiCalls(quotaKey, day, calls);
        store.writeIfChanged();
    }

    @Override
    public synchronized long apiCallsUsed(String quotaKey, QuotaWindow window, Instant now) {
        return state().apiCallsUsed(quotaKey, window, now);
    }

    @Override
    public synchronized long reserveApiCalls(String quotaKey, QuotaWindow window, Instant now, long calls, long limit) {
        long granted = state().reserveApiCalls(quotaKey, window, now, calls, limit);
        store.writeIfChanged();
        return granted;
    }

    @Override
    public synchronized void returnApiCalls(String quotaKey, QuotaWindow window, Instant reservedAt, long calls) {
        state().returnApiCalls(quotaKey, window, reservedAt, calls);
        store.writeIfChanged();
    }

    @Override
    public synchronized RunLease acquireLease(String jobId, String owner, Instant now, Duration duration) {
        return state().acquireLease(jobId, owner, now, duration);
    }

    @Override
    public synchronized Optional<RunLease> renewLease(RunLease lease, Instant now, Duration duration) {
        return state().renewLease(lease, now, duration);
    }

    @Override
    public synchronized void releaseLease(RunLease lease) {
        state().releaseLease(lease);
    }

    @Override
    public synchronized List<PendingRecord> pending(String jobId, SyncDirection direction) {
        return state().pending(jobId, direction);
    }

    @Override
    public synchronized void savePending(String jobId, SyncDirection direction, PendingRecord record) {
        state().savePending(jobId, direction, record);
        store.writeIfChanged();
    }

    @Override
    public synchronized void removePending(String jobId, SyncDirection direction, String key) {
        state().removePending(jobId, direction, key);
        store.writeIfChanged();
    }

    /** Writes the report to its own file and deletes the job's reports beyond the newest {@code keepReports}. */
    @Override
    public synchronized void saveReport(SyncReport report) {
        store.checkUsable();
        requireNonNull(report, "report");
        Path jobDir = reportsDirectory(report.jobId());
        if (Files.isDirectory(jobDir)) {
            StoreFiles.deleteLeftoverTempFiles(jobDir);
        }
        String base = REPORT_TIME.format(report.startedAt()) + "-" + report.direction();
        // Runs under a fixed test clock can start at the same instant: number them rather than overwrite.
        Path target = jobDir.resolve(base + ".json");
        for (int n = 2; Files.exists(target); n++) {
            target = jobDir.resolve(base + "-" + n + ".json");
        }
        StringWriter json = new StringWriter();
        report.writeJson(json);
        StoreFiles.writeAtomically(target, json.toString().getBytes(StandardCharsets.UTF_8));
        List<ReportFile> files = reportFiles(jobDir);
        files.sort(OLDEST_FIRST);
        for (ReportFile old : files.subList(0, Math.max(0, files.size() - keepReports))) {
            try {
                Files.deleteIfExists(old.path());
            } catch (IOException e) {
                throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not delete the old report " + old.path()
                        + ": " + e, e);
            }
        }
    }

    /**
     * The job's newest reports, newest (latest start) first.
     *
     * @throws CrmSyncException {@code STORAGE_FAILED} naming the report file that cannot be read
     */
    @Override
    public synchronized List<SyncReport> recentReports(String jobId, int limit) {
        store.checkUsable();
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative; got " + limit);
        }
        List<ReportFile> files = reportFiles(reportsDirectory(jobId));
        files.sort(OLDEST_FIRST.reversed());
        List<SyncReport> reports = new ArrayList<>();
        for (ReportFile f : files.subList(0, Math.min(limit, files.size()))) {
            try (Reader in = Files.newBufferedReader(f.path(), StandardCharsets.UTF_8)) {
                reports.add(SyncReport.readJson(in));
            } catch (IOException | RuntimeException e) {
                throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not read the saved report " + f.path()
                        + ": " + e.getMessage() + ". Delete or restore the file", e);
            }
        }
        return List.copyOf(reports);
    }

    /** The store's directory. */
    public Path directory() {
        return store.directory();
    }

    /**
     * Releases the directory's lock. The store cannot be used afterwards; closing twice, or closing a
     * store whose write failed, is harmless.
     */
    @Override
    public synchronized void close() {
        store.close();
    }

    private InMemorySyncStateStore state() {
        return store.content();
    }

    private Path reportsDirectory(String jobId) {
        return store.directory().resolve(REPORTS_DIRECTORY).resolve(StoreFiles.requireSafeJobId(jobId));
    }

    private static List<ReportFile> reportFiles(Path jobDir) {
        List<ReportFile> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(jobDir, "*.json")) {
            for (Path p : entries) {
                Matcher m = REPORT_FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    files.add(new ReportFile(p, m.group(1), m.group(3) == null ? 1 : Integer.parseInt(m.group(3)),
                            m.group(2)));
                }
            }
        } catch (NoSuchFileException e) {
            return files;
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not list the reports in " + jobDir + ": " + e, e);
        }
        return files;
    }

    private record ReportFile(Path path, String startedAt, int number, String direction) {
    }
}
