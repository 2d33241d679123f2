package org.crmsync.examples;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.ReportSink;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;
import org.crmsync.store.JdbcSyncStateStore;
import org.crmsync.testing.TestPostgres;

/**
 * The PostgreSQL state store on a PostgreSQL started from Maven artifacts (with {@code fsync} on, so
 * commits reach the disk as in production): cursor saves, quota reservations (all on one CRM account's
 * counter, the contended case) and report rows per second, several threads at once; and, with {@code
 * heap}, the heap of an inbound run of N records whose every report row goes to the database (run it
 * under {@code -Xmx128m}). Figures only; nothing is asserted.
 *
 * <p>Arguments: {@code throughput [threads]} (default 4) or {@code heap [rows]} (default 1,000,000).
 */
public final class JdbcStoreBenchmark {
    static final String SUMMARY = "summary: ";

    private JdbcStoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // Before the server starts: commits durable as in production (the tests run without fsync).
        System.setProperty("crmsync.test.postgres.fsync", "on");
        String mode = args.length > 0 ? args[0] : "throughput";
        if (mode.equals("heap")) {
            heap(args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000, System.out);
        } else {
            throughput(args.length > 1 ? Integer.parseInt(args[1]) : 4, System.out);
        }
        System.exit(0); // the pools' and the server's threads
    }

    static void throughput(int threads, PrintStream out) throws Exception {
        try (HikariDataSource ds = TestPostgres.newDatabase(threads + 2)) {
            JdbcSyncStateStore store = JdbcSyncStateStore.open(ds);
            Instant now = Instant.parse("2026-03-02T12:00:00Z");
            int n = 2_000;
            out.printf(Locale.ROOT, "JDBC state store on PostgreSQL 14 (fsync on), %d threads%n", threads);
            // A round first, to warm the JIT and the pool up.
            parallel(threads, 200, i -> store.saveCursor("warm-" + i % threads, SyncDirection.INBOUND,
                    SyncCursor.of("sequence", Integer.toString(i))));
            double cursors = parallel(threads, n, i -> store.saveCursor("tenant" + i % threads + "-in",
                    SyncDirection.INBOUND, SyncCursor.of("since", now.plusSeconds(i).toString(), "id", "C" + i)));
            out.printf(Locale.ROOT, "  cursor saves: %,.0f/s%n", cursors);
            double utcDay = parallel(threads, n, i -> store.reserveApiCalls("account-1", QuotaWindow.UTC_DAY, now, 20,
                    Long.MAX_VALUE));
            out.printf(Locale.ROOT, "  quota reservations (blocks of 20, one account, UTC day): %,.0f/s"
                    + " (%,.0f API calls/s)%n", utcDay, utcDay * 20);
            double rolling = parallel(threads, n, i -> store.reserveApiCalls("account-2", QuotaWindow.ROLLING_24_HOURS,
                    now, 20, Long.MAX_VALUE));
            out.printf(Locale.ROOT, "  quota reservations (blocks of 20, one account, rolling 24 hours): %,.0f/s%n",
                    rolling);
            int rows = 200_000;
            long t0 = System.nanoTime();
            ReportSink sink = store.reportRows("bench-in", SyncDirection.INBOUND, now);
            for (int i = 0; i < rows; i++) {
                sink.accept(row(i));
            }
            sink.flush();
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "  report rows (one run): %,.0f/s%n", rows / seconds);
            double concurrentRows = parallel(threads, threads, t -> {
                ReportSink s = store.reportRows("bench" + t + "-in", SyncDirection.INBOUND, now);
                for (int i = 0; i < rows / threads; i++) {
                    s.accept(row(i));
                }
                s.flush();
            }) * rows / threads;
            out.printf(Locale.ROOT, "  report rows (%d runs at once): %,.0f/s%n", threads, concurrentRows);
        }
    }

    private static RecordResult row(int i) {
        return i % 10 == 0
                ? new RecordResult("C" + i, SyncDirection.INBOUND, Outcome.SKIPPED, Reason.NO_MOBILE_NUMBER,
                        "no valid mobile number", Optional.empty(), Optional.of("C" + i))
                : new RecordResult("C" + i, SyncDirection.INBOUND, Outcome.CREATED, Reason.NONE, "",
                        Optional.of("p" + i), Optional.of("C" + i));
    }

    /** Runs {@code op} for 0..n-1 spread over the threads; returns operations per second. */
    private static double parallel(int threads, int n, IntConsumer op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            parts.add(pool.submit(() -> {
                for (int i = first; i < n; i += threads) {
                    op.accept(i);
                }
            }));
        }
        for (Future<?> f : parts) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        return n / seconds;
    }

    /** An inbound run of {@code rows} file records into a store that keeps nothing, its rows to the database. */
    static void heap(int rows, PrintStream out) throws IOException {
        Path file = Files.createTempFile("crmsync-jdbc-heap-", ".csv");
        try (HikariDataSource ds = TestPostgres.newDatabase(4)) {
            InboundFileBenchmark.generate(file, rows);
            JdbcSyncStateStore store = JdbcSyncStateStore.open(ds);
            InboundFileBenchmark.heapUsed();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            long t0 = System.nanoTime();
            SyncReport report = new SyncEngine().run(InboundFileBenchmark.job(file,
                    new InboundFileBenchmark.KeepsNothing(), store));
            double seconds = (System.nanoTime() - t0) / 1e9;
            long peak = InboundFileBenchmark.peakHeap();
            JdbcSyncStateStore.StoredRun run = store.runs("bench-file", 1).get(0);
            out.printf(Locale.ROOT, "%s%s, %,d records read, %,d report rows in the database, %,.0f records/s,"
                    + " peak heap in use %,d MB (the heap pools' peaks added up: an upper bound), of at most %,d MB%n",
                    SUMMARY, report.status(), report.recordsRead(), run.rowCount(), report.recordsRead() / seconds,
                    peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
