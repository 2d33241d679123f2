package org.crmsync.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * <p>While open, the store holds an exclusive lock on {@code .lock} in its directory, so a second
 * store on the same directory, in this process or another, fails with {@code CONCURRENT_RUN}
 * instead of overwriting this one's state. Close it to release the lock. Thread-safe.
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
    static final String LOCK_FILE = ".lock";

    /** Fixed width, so file names sort in time order. */
    private static final DateTimeFormatter REPORT_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH-mm-ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern REPORT_FILE = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{9}Z)-(" + SyncDirection.INBOUND + "|"
                    + SyncDirection.OUTBOUND + ")(?:-(\\d{1,9}))?\\.json");
    /** Oldest first: by start time, then by the number that tells apart reports started at the same instant. */
    private static final Comparator<ReportFile> OLDEST_FIRST = Comparator.comparing(ReportFile::startedAt)
            .thenComparingInt(ReportFile::number)
            .thenComparing(ReportFile::direction);

    private final Path directory;
    private final Path stateFile;
    private final int keepReports;
    private final InMemorySyncStateStore state;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private long writtenVersion;
    private boolean closed;

    private FileSyncStateStore(Path directory, int keepReports, InMemorySyncStateStore state, FileChannel lockChannel,
            FileLock lock) {
        this.directory = directory;
        this.stateFile = directory.resolve(STATE_FILE);
        this.keepReports = keepReports;
        this.state = state;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.writtenVersion = state.version();
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
        Path dir = directory.toAbsolutePath();
        FileChannel channel;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not open the sync state directory " + dir
                    + ": " + e, e);
        }
        try {
            FileLock lock = lockOrFail(channel, dir);
            StoreFiles.deleteLeftoverTempFiles(dir);
            Path file = dir.resolve(STATE_FILE);
            Optional<JsonNode> root = StoreFiles.readJsonObject(file);
            InMemorySyncStateStore state;
            try {
                state = root.isEmpty() ? new InMemorySyncStateStore(keepReports)
                        : InMemorySyncStateStore.fromJson(root.get(), keepReports);
            } catch (RuntimeException e) {
                throw StoreFiles.corrupt(file, e.getMessage(), e);
            }
            return new FileSyncStateStore(dir, keepReports, state, channel, lock);
        } catch (RuntimeException e) {
            try {
                channel.close(); // also releases the lock
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    private static FileLock lockOrFail(FileChannel channel, Path dir) {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not lock the sync state directory " + dir
                    + ": " + e, e);
        }
        if (lock == null) {
            throw new CrmSyncException(ErrorCode.CONCURRENT_RUN, "the sync state directory " + dir
                    + " is already open in another store (this process or another); close that one first");
        }
        return lock;
    }

    @Override
    public synchronized Optional<SyncCursor> cursor(String jobId, SyncDirection direction) {
        ensureOpen();
        return state.cursor(jobId, direction);
    }

    @Override
    public synchronized void saveCursor(String jobId, SyncDirection direction, SyncCursor cursor) {
        ensureOpen();
        state.saveCursor(jobId, direction, cursor);
        writeIfChanged();
    }

    @Override
    public synchronized long apiCallsUsed(String quotaKey, LocalDate day) {
        ensureOpen();
        return state.apiCallsUsed(quotaKey, day);
    }

    @Override
    public synchronized void addApiCalls(String quotaKey, LocalDate day, long calls) {
        ensureOpen();
        state.addApiCalls(quotaKey, day, calls);
        writeIfChanged();
    }

    @Override
    public synchronized List<PendingRecord> pending(String jobId, SyncDirection direction) {
        ensureOpen();
        return state.pending(jobId, direction);
    }

    @Override
    public synchronized void savePending(String jobId, SyncDirection direction, PendingRecord record) {
        ensureOpen();
        state.savePending(jobId, direction, record);
        writeIfChanged();
    }

    @Override
    public synchronized void removePending(String jobId, SyncDirection direction, String key) {
        ensureOpen();
        state.removePending(jobId, direction, key);
        writeIfChanged();
    }

    /** Writes the report to its own file and deletes the job's reports beyond the newest {@code keepReports}. */
    @Override
    public synchronized void saveReport(SyncReport report) {
        ensureOpen();
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
        ensureOpen();
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
        return directory;
    }

    /** Releases the directory's lock. The store cannot be used afterwards; closing twice is harmless. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not release the lock of " + directory
                    + ": " + e, e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the sync state store of " + directory + " is closed");
        }
    }

    private void writeIfChanged() {
        long version = state.version();
        if (version != writtenVersion) {
            StoreFiles.writeJsonAtomically(stateFile, state.toJson());
            writtenVersion = version;
        }
    }

    private Path reportsDirectory(String jobId) {
        return directory.resolve(REPORTS_DIRECTORY).resolve(StoreFiles.requireSafeJobId(jobId));
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
