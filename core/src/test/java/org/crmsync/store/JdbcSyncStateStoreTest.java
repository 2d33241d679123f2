package org.crmsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.ReportSink;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;
import org.crmsync.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL store on a real PostgreSQL (started by the tests from Maven artifacts): the contract
 * every store keeps, and what many processes sharing one database rely on. Several store objects on
 * one database stand for several servers.
 */
class JdbcSyncStateStoreTest extends SyncStateStoreContract {
    private final List<HikariDataSource> pools = new ArrayList<>();

    @AfterEach
    void closePools() {
        pools.forEach(HikariDataSource::close);
    }

    private HikariDataSource database(int poolSize) {
        HikariDataSource ds = TestPostgres.newDatabase(poolSize);
        pools.add(ds);
        return ds;
    }

    @Override
    SyncStateStore newStore(int keepReports) {
        return JdbcSyncStateStore.open(database(4), keepReports);
    }

    // ---- schema ----

    @Test
    void theStoreCreatesItsTablesOnceEvenWhenServersStartTogether() throws Exception {
        HikariDataSource ds = database(8);
        List<Future<JdbcSyncStateStore>> opens = onThreads(6, () -> JdbcSyncStateStore.open(ds));
        for (Future<JdbcSyncStateStore> f : opens) {
            f.get(60, TimeUnit.SECONDS);
        }
        JdbcSyncStateStore.open(ds); // and again later: nothing to do

        assertThat(queryLong(ds, "SELECT COUNT(*) FROM crmsync_schema_version")).isEqualTo(1);
        assertThat(queryLong(ds, "SELECT MAX(version) FROM crmsync_schema_version"))
                .isEqualTo(JdbcSyncStateStore.SCHEMA_VERSION);
        JdbcSyncStateStore.openWithoutMigrating(ds, 20).saveCursor("j", SyncDirection.INBOUND, SyncCursor.of("a", "1"));
    }

    @Test
    void aDatabaseMigratedByANewerVersionIsRefusedNotMisread() throws Exception {
        HikariDataSource ds = database(2);
        JdbcSyncStateStore.open(ds);
        execute(ds, "INSERT INTO crmsync_schema_version (version, script) VALUES (99, 'V99__future.sql')");

        assertThatThrownBy(() -> JdbcSyncStateStore.open(ds)).isInstanceOfSatisfying(CrmSyncException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining("schema version 99").hasMessageContaining("newer crmsync");
    }

    @Test
    void tablesADbaHasNotCreatedAreReportedWhenNotMigrating() {
        HikariDataSource ds = database(2);
        assertThatThrownBy(() -> JdbcSyncStateStore.openWithoutMigrating(ds, 20))
                .hasMessageContaining("schema version 0");
    }

    @Test
    void theMigrationScriptSplitsIntoItsStatements() {
        List<String> statements = JdbcSyncStateStore.statements("V1__crmsync_state.sql");
        assertThat(statements).allSatisfy(s -> assertThat(s).startsWith("CREATE"));
        assertThat(statements).hasSize(9);
    }

    @Test
    void passwordsInJdbcUrlsAreMasked() {
        assertThat(JdbcUrls.masked("jdbc:postgresql://db.example:5432/crm?user=app&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db.example:5432/crm?user=app&password=***&ssl=true");
        assertThat(JdbcUrls.masked("jdbc:postgresql://app:s3cret@db.example/crm")).doesNotContain("s3cret");
        assertThat(JdbcUrls.masked("jdbc:sqlserver://db;user=app;password=s3cret;encrypt=true"))
                .isEqualTo("jdbc:sqlserver://db;user=app;password=***;encrypt=true");
        assertThat(JdbcUrls.masked("jdbc:postgresql://db/crm?sslpassword=s3cret")).doesNotContain("s3cret");
    }

    @Test
    void aStoreNamesItsDatabaseWithoutThePassword() {
        HikariDataSource ds = database(2);
        execute(ds, "CREATE ROLE app LOGIN PASSWORD 's3cret'");
        execute(ds, "GRANT ALL ON SCHEMA public TO app");
        try (HikariDataSource withPassword = new HikariDataSource()) {
            withPassword.setJdbcUrl(ds.getJdbcUrl() + "?user=app&password=s3cret");
            withPassword.setMaximumPoolSize(2);
            JdbcSyncStateStore store = JdbcSyncStateStore.open(withPassword);
            assertThat(store.toString()).contains("password=***").doesNotContain("s3cret");
            execute(ds, "REVOKE ALL ON crmsync_cursor FROM app");
            execute(ds, "ALTER TABLE crmsync_cursor OWNER TO postgres");
            assertThatThrownBy(() -> store.saveCursor("j", SyncDirection.INBOUND, SyncCursor.start()))
                    .isInstanceOfSatisfying(CrmSyncException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                    .hasMessageContaining("save the cursor of job j").hasMessageNotContaining("s3cret");
        }
    }

    // ---- many servers ----

    @Test
    void whatOneServerSavesAnotherReads() {
        HikariDataSource ds = database(4);
        JdbcSyncStateStore first = JdbcSyncStateStore.open(ds);
        JdbcSyncStateStore second = JdbcSyncStateStore.open(ds);
        first.saveCursor("t1-in", SyncDirection.INBOUND, SyncCursor.of("since", "2024-05-01T00:00:00Z"));
        first.savePending("t1-in", SyncDirection.INBOUND, pendingRecord("A", 1));

        assertThat(second.cursor("t1-in", SyncDirection.INBOUND)).contains(SyncCursor.of("since", "2024-05-01T00:00:00Z"));
        assertThat(second.pending("t1-in", SyncDirection.INBOUND)).containsExactly(pendingRecord("A", 1));
    }

    @Test
    void concurrentReservationsNeverTakeMoreThanTheQuota() throws Exception {
        for (QuotaWindow window : QuotaWindow.values()) {
            HikariDataSource ds = database(16);
            long quota = 1_000;
            AtomicLong taken = new AtomicLong();
            // 12 threads on 3 "servers" (store objects), each reserving blocks of 7 until none is left.
            List<JdbcSyncStateStore> servers = List.of(JdbcSyncStateStore.open(ds), JdbcSyncStateStore.open(ds),
                    JdbcSyncStateStore.open(ds));
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> runs = new ArrayList<>();
            ExecutorService threads = Executors.newFixedThreadPool(12);
            for (int i = 0; i < 12; i++) {
                JdbcSyncStateStore store = servers.get(i % 3);
                runs.add(threads.submit(() -> {
                    go.await();
                    long mine = 0;
                    for (long got; (got = store.reserveApiCalls("sf-account", window, T0, 7, quota)) > 0; ) {
                        mine += got;
                        taken.addAndGet(got);
                    }
                    return mine;
                }));
            }
            go.countDown();
            long sum = 0;
            for (Future<Long> run : runs) {
                sum += run.get(60, TimeUnit.SECONDS);
            }
            threads.shutdown();

            assertThat(sum).as(window.name()).isEqualTo(quota);
            assertThat(taken.get()).isEqualTo(quota);
            assertThat(servers.get(0).apiCallsUsed("sf-account", window, T0)).isEqualTo(quota);
            assertThat(servers.get(1).reserveApiCalls("sf-account", window, T0, 7, quota)).isZero();
        }
    }

    @Test
    void ofManyServersTakingOneJobAtOnceExactlyOneGetsIt() throws Exception {
        HikariDataSource ds = database(16);
        JdbcSyncStateStore.open(ds);
        for (int round = 0; round < 5; round++) {
            String job = "job-" + round;
            List<Future<Boolean>> tries = onThreads(12, () -> {
                try {
                    JdbcSyncStateStore.open(ds).acquireLease(job, Thread.currentThread().getName(), T0,
                            Duration.ofMinutes(2));
                    return true;
                } catch (CrmSyncException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_RUN);
                    return false;
                }
            });
            long winners = 0;
            for (Future<Boolean> t : tries) {
                winners += t.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        }
    }

    // ---- report rows ----

    @Test
    void everyReportRowOfARunIsKeptAndReadBackPageByPage() {
        JdbcSyncStateStore store = JdbcSyncStateStore.open(database(4));
        ReportSink sink = store.reportRows("t1-in", SyncDirection.INBOUND, T0);
        SyncReport.Builder report = SyncReport.builder("t1-in", "fake", SyncDirection.INBOUND, T0).keepRows(10);
        for (int i = 1; i <= 1_234; i++) {
            RecordResult row = i % 3 == 0
                    ? new RecordResult("crm-" + i, SyncDirection.INBOUND, Outcome.SKIPPED, Reason.NO_MOBILE_NUMBER,
                            "no mobile number", Optional.empty(), Optional.of("crm-" + i))
                    : new RecordResult("crm-" + i, SyncDirection.INBOUND, Outcome.CREATED, Reason.NONE, "",
                            Optional.of("p" + i), Optional.of("crm-" + i));
            sink.accept(row);
            report.add(row);
        }
        sink.flush();
        store.saveReport(report.status(RunStatus.COMPLETED, "").finish(T0.plusSeconds(60)));

        List<JdbcSyncStateStore.StoredRun> runs = store.runs("t1-in", 10);
        assertThat(runs).hasSize(1);
        JdbcSyncStateStore.StoredRun run = runs.get(0);
        assertThat(run.status()).contains("COMPLETED");
        assertThat(run.rowCount()).isEqualTo(1_234);
        assertThat(run.finishedAt()).contains(T0.plusSeconds(60));

        List<RecordResult> read = new ArrayList<>();
        long after = 0;
        for (List<JdbcSyncStateStore.StoredRow> page; !(page = store.reportRows(run.runId(), after, 500)).isEmpty(); ) {
            page.forEach(r -> read.add(r.row()));
            after = page.get(page.size() - 1).rowNo();
        }
        assertThat(read).hasSize(1_234);
        assertThat(read.get(2)).isEqualTo(new RecordResult("crm-3", SyncDirection.INBOUND, Outcome.SKIPPED,
                Reason.NO_MOBILE_NUMBER, "no mobile number", Optional.empty(), Optional.of("crm-3")));
        assertThat(read.get(1_233).key()).isEqualTo("crm-1234");
        assertThat(store.recentReports("t1-in", 1).get(0).rowCount()).isEqualTo(1_234);
    }

    @Test
    void aRunWhoseServerDiedStaysInTheHistoryUnfinishedWithTheRowsItWrote() {
        JdbcSyncStateStore store = JdbcSyncStateStore.open(database(4));
        ReportSink sink = store.reportRows("t1-in", SyncDirection.INBOUND, T0);
        for (int i = 1; i <= 700; i++) {
            sink.accept(new RecordResult("crm-" + i, SyncDirection.INBOUND, Outcome.CREATED, Reason.NONE, "",
                    Optional.of("p" + i), Optional.of("crm-" + i)));
        }
        // no flush, no report: the process died

        JdbcSyncStateStore.StoredRun run = store.runs("t1-in", 10).get(0);
        assertThat(run.finishedAt()).isEmpty();
        assertThat(run.rowCount()).isEqualTo(JdbcSyncStateStore.ROW_BATCH);
        assertThat(store.reportRows(run.runId(), 0, 1_000)).hasSize(JdbcSyncStateStore.ROW_BATCH);
        assertThat(store.recentReports("t1-in", 10)).isEmpty();
    }

    // ---- helpers ----

    private static <T> List<Future<T>> onThreads(int n, Callable<T> task) {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(threads.submit(() -> {
                go.await();
                return task.call();
            }));
        }
        go.countDown();
        threads.shutdown();
        return futures;
    }

    private static long queryLong(HikariDataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static void execute(HikariDataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
