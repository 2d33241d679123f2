package org.crmsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.crmsync.engine.EngineFixture.crmPerson;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.Outcome;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.JdbcSyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.testing.FakeConnector;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several servers (engines, each with its own store object) sharing one PostgreSQL: runs of one job
 * never overlap, runs of one CRM account never pass its quota together, and a run whose server died is
 * taken over from its last checkpoint.
 */
class ManyServersSyncTest {
    private final MutableClock clock = MutableClock.at("2026-03-02T06:00:00Z");
    private final HikariDataSource database = TestPostgres.newDatabase(20);
    private final SyncPolicy policy = SyncPolicy.builder().mode(SyncMode.LIBERAL).defaultOptInPath("web-path-1")
            .allowedCountries("US").build();

    @AfterEach
    void close() {
        database.close();
    }

    private JdbcSyncStateStore server() {
        return JdbcSyncStateStore.open(database);
    }

    private SyncEngine engine(String owner, ScheduledExecutorService renewals) {
        return SyncEngine.builder().clock(clock).owner(owner).leaseRenewals(renewals).build();
    }

    @Test
    void concurrentRunsOfOneAccountOnThreeServersNeverPassItsQuota() throws Exception {
        // One CRM account read five records a call: each tenant's run needs 61 calls, six need 366.
        FakeConnector crm = new FakeConnector(5);
        for (int i = 0; i < 300; i++) {
            crm.put("C" + i, crmPerson("Ana", "L" + i, "a" + i + "@example.org", "+1608555" + (2000 + i), "US", "true"));
        }
        long quota = 250;
        SyncPolicy limited = policy.toBuilder().dailyApiQuota(quota).apiQuotaBlock(20).build();
        List<SyncEngine> engines = List.of(new SyncEngine(clock), new SyncEngine(clock), new SyncEngine(clock));
        List<JdbcSyncStateStore> stores = List.of(server(), server(), server());
        ExecutorService threads = Executors.newFixedThreadPool(6);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<SyncReport>> runs = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            SyncJob job = SyncJob.builder("tenant" + t + "-in").connectionId("shared-account").connector(crm)
                    .profiles(new InMemoryProfileStore(clock)).state(stores.get(t % 3)).mapping(FieldMapping.defaults())
                    .policy(limited).direction(SyncDirection.INBOUND).build();
            SyncEngine engine = engines.get(t % 3);
            runs.add(threads.submit(() -> {
                go.await();
                return engine.run(job);
            }));
        }
        go.countDown();
        long used = 0;
        int preflightsRefused = 0;
        for (Future<SyncReport> run : runs) {
            SyncReport report = run.get(120, TimeUnit.SECONDS);
            assertThat(report.status()).isIn(RunStatus.COMPLETED, RunStatus.QUOTA_REACHED);
            if (report.apiCallsUsed() == 0) {
                // A run that starts after the others have reserved the whole quota is refused its very
                // first call, the preflight, and sends nothing at all.
                assertThat(report.status()).isEqualTo(RunStatus.QUOTA_REACHED);
                assertThat(report.message()).contains("GET /describe was not sent");
                assertThat(report.recordsRead()).isZero();
                preflightsRefused++;
            } else {
                // One preflight, one call per page of five read, and the empty page that ends a complete pass.
                long pages = report.recordsRead() / 5 + (report.status() == RunStatus.COMPLETED ? 1 : 0);
                assertThat(report.apiCallsUsed()).isEqualTo(1 + pages);
            }
            used += report.apiCallsUsed();
        }
        threads.shutdown();

        // Every call the runs counted is one the fake CRM answered, by kind: a preflight for each run that
        // was let send one, and the page reads; nothing else (no re-reads by id, look-ups or writes).
        assertThat(crm.preflightCalls()).isEqualTo(6 - preflightsRefused);
        assertThat(crm.readByIdCalls()).isZero();
        assertThat(crm.lookupCalls()).isZero();
        assertThat(crm.writeCalls()).isZero();
        assertThat((long) crm.readCalls() + crm.preflightCalls()).isEqualTo(used);
        assertThat(used).isLessThanOrEqualTo(quota);
        // Every unused reservation was given back: the shared counter is exactly what was sent.
        assertThat(stores.get(0).apiCallsUsed("shared-account", clock.instant().atZone(java.time.ZoneOffset.UTC)
                .toLocalDate())).isEqualTo(used);
        // And the quota was used up, not left idle by reservations.
        assertThat(used).isGreaterThan(quota - 6L * limited.apiQuotaBlock());
    }

    @Test
    void aSecondRunOfAJobOnAnotherServerFailsWithConcurrentRun() throws Exception {
        FakeConnector crm = new FakeConnector();
        for (int i = 0; i < 120; i++) {
            crm.put("C" + i, crmPerson("Ana", "L" + i, "a" + i + "@example.org", "+1608555" + (2000 + i), "US", "true"));
        }
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InMemoryProfileStore app = new InMemoryProfileStore(clock);
        SyncJob.Builder job = SyncJob.builder("tenant1-in").connector(crm).profiles(app)
                .mapping(FieldMapping.defaults()).policy(policy).direction(SyncDirection.INBOUND);
        SyncJob onA = job.state(server()).listener(blockingAt(10, inside, release)).build();
        SyncJob onB = job.state(server()).listener(SyncListener.NONE).build();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Future<SyncReport> first = thread.submit(() -> new SyncEngine(clock).run(onA));
        assertThat(inside.await(60, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> new SyncEngine(clock).run(onB)).isInstanceOfSatisfying(CrmSyncException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_RUN)).hasMessageContaining("lease held by");
        release.countDown();
        assertThat(first.get(60, TimeUnit.SECONDS).status()).isEqualTo(RunStatus.COMPLETED);
        thread.shutdown();
        // Once the first run ended, the job runs anywhere again.
        assertThat(new SyncEngine(clock).run(onB).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aRunWhoseServerDiedIsTakenOverFromItsLastCheckpointWithoutLosingOrDuplicatingRecords() throws Exception {
        FakeConnector crm = new FakeConnector();
        int n = 1_000;
        for (int i = 0; i < n; i++) {
            crm.put("C" + i, crmPerson("Ana", "L" + i, "a" + i + "@example.org", "+1608555" + (2000 + i), "US", "true"));
        }
        InMemoryProfileStore app = new InMemoryProfileStore(clock);
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch wakeUp = new CountDownLatch(1);
        SyncJob.Builder job = SyncJob.builder("tenant1-in").connector(crm).profiles(app)
                .mapping(FieldMapping.defaults()).policy(policy).direction(SyncDirection.INBOUND);
        ScheduledExecutorService renewalsOfA = Executors.newSingleThreadScheduledExecutor();
        SyncEngine a = engine("server-a", renewalsOfA);
        SyncEngine b = engine("server-b", Executors.newSingleThreadScheduledExecutor());
        JdbcSyncStateStore storeOfB = server();

        // Server A stops dead after applying its 350th record; its last checkpoint is after record 300.
        ExecutorService threadOfA = Executors.newSingleThreadExecutor();
        Future<SyncReport> runOfA = threadOfA.submit(() -> a.run(job.state(server())
                .listener(blockingAt(350, stalled, wakeUp)).build()));
        assertThat(stalled.await(60, TimeUnit.SECONDS)).isTrue();
        renewalsOfA.shutdownNow();
        assertThat(storeOfB.cursor("tenant1-in", SyncDirection.INBOUND)).isPresent();

        // Before the lease expires, B may not run the job; after, B takes it over.
        clock.advance(Duration.ofMinutes(1));
        assertThatThrownBy(() -> b.run(job.state(storeOfB).listener(SyncListener.NONE).build()))
                .hasMessageContaining("server-a");
        clock.advance(SyncEngine.DEFAULT_LEASE_DURATION);
        List<RecordResult> rowsOfB = new ArrayList<>();
        SyncReport takeover = b.run(job.state(storeOfB).listener(new SyncListener() {
            @Override
            public void onRecord(RecordResult result) {
                rowsOfB.add(result);
            }
        }).build());

        assertThat(takeover.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(takeover.recordsRead()).isEqualTo(n - 300);
        // Records 301-350 were applied by A after its checkpoint: B finds them equal, and creates the rest.
        assertThat(takeover.count(Outcome.NO_DIFFERENCE)).isEqualTo(50);
        assertThat(takeover.count(Outcome.CREATED)).isEqualTo(n - 350);
        assertThat(app.size()).isEqualTo(n);
        Set<String> linked = new HashSet<>();
        for (int i = 0; i < n; i++) {
            List<Profile> found = app.findByConstituentId("C" + i);
            assertThat(found).hasSize(1);
            linked.add(found.get(0).localId().orElseThrow());
        }
        assertThat(linked).hasSize(n);
        SyncCursor afterTakeover = storeOfB.cursor("tenant1-in", SyncDirection.INBOUND).orElseThrow();

        // A wakes up (a long pause, not a death after all): it may not write its progress any more.
        wakeUp.countDown();
        SyncReport late = runOfA.get(60, TimeUnit.SECONDS);
        threadOfA.shutdown();
        assertThat(late.status()).isEqualTo(RunStatus.FAILED);
        assertThat(late.message()).contains("lost its lease");
        assertThat(storeOfB.cursor("tenant1-in", SyncDirection.INBOUND)).contains(afterTakeover);
        assertThat(app.size()).isEqualTo(n);
        // Both runs are in the history; the next run has nothing left to do.
        assertThat(storeOfB.runs("tenant1-in", 10)).hasSize(2);
        SyncReport next = b.run(job.state(storeOfB).listener(SyncListener.NONE).build());
        assertThat(next.count(Outcome.CREATED)).isZero();
    }

    @Test
    void everyRowOfARunIsInTheDatabase() {
        FakeConnector crm = new FakeConnector();
        for (int i = 0; i < 2_345; i++) {
            crm.put("C" + i, crmPerson("Ana", "L" + i, "a" + i + "@example.org", i % 10 == 0 ? "" : "+1608555" + (2000 + i),
                    "US", "true"));
        }
        JdbcSyncStateStore store = server();
        SyncReport report = new SyncEngine(clock).run(SyncJob.builder("tenant1-in").connector(crm)
                .profiles(new InMemoryProfileStore(clock)).state(store).mapping(FieldMapping.defaults()).policy(policy)
                .direction(SyncDirection.INBOUND).reportRowsKept(100).build());

        assertThat(report.rows()).hasSize(100);
        JdbcSyncStateStore.StoredRun run = store.runs("tenant1-in", 1).get(0);
        assertThat(run.rowCount()).isEqualTo(2_345);
        assertThat(run.status()).contains("COMPLETED");
        long skipped = 0;
        long after = 0;
        for (List<JdbcSyncStateStore.StoredRow> page; !(page = store.reportRows(run.runId(), after, 1_000)).isEmpty(); ) {
            skipped += page.stream().filter(r -> r.row().outcome() == Outcome.SKIPPED).count();
            after = page.get(page.size() - 1).rowNo();
        }
        assertThat(after).isEqualTo(2_345);
        assertThat(skipped).isEqualTo(report.count(Outcome.SKIPPED)).isEqualTo(235);
    }

    /** A listener that stops the run's thread at its {@code n}th record until told to go on. */
    private static SyncListener blockingAt(int n, CountDownLatch reached, CountDownLatch goOn) {
        return new SyncListener() {
            private int seen;

            @Override
            public void onRecord(RecordResult result) {
                if (++seen == n) {
                    reached.countDown();
                    try {
                        goOn.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
    }
}
