package org.crmsync.quartz;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.engine.SyncListener;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.RecordResult;
import org.crmsync.report.SyncReport;
import org.crmsync.schedule.Schedule;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.JdbcSyncStateStore;
import org.crmsync.testing.FakeConnector;
import org.crmsync.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobListener;
import org.quartz.Scheduler;

/**
 * Three nodes (three Quartz instances on one PostgreSQL, each with its own engine, pool and store
 * object) run 200 tenants' inbound jobs, every four seconds for a few rounds, against in-memory CRMs
 * that keep changing; one node stops dead in the middle of runs. Real time, since Quartz's cluster
 * runs on it; what is asserted is exact: no job overlaps itself, every due time of every task runs
 * once, no tenant's quota is passed, and the dead node's runs finish on the others with nothing lost
 * or duplicated.
 */
class ClusterTest {
    private static final int TENANTS = 200;
    private static final Duration EVERY = Duration.ofSeconds(4);

    private record Execution(String task, Instant scheduledFor, boolean recovering, String trigger) {
    }

    private record Tenant(String jobId, FakeConnector crm, InMemoryProfileStore app, SyncPolicy policy, long quota) {
    }

    private final Queue<Execution> executions = new ConcurrentLinkedQueue<>();
    private final Queue<SyncReport> reports = new ConcurrentLinkedQueue<>();
    /** Runs of the dead node that were stopped mid-run, as they end once let go after the test. */
    private final Queue<SyncReport> wokenUp = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean frozen = new AtomicBoolean();
    private final AtomicInteger frozenRuns = new AtomicInteger();
    private final java.util.Set<Thread> frozenThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final CountDownLatch someRunFrozen = new CountDownLatch(1);
    private final CountDownLatch thaw = new CountDownLatch(1);
    private final Map<String, Tenant> tenants = new LinkedHashMap<>();
    private final AtomicInteger nextRecord = new AtomicInteger();

    @Test
    void threeNodesRunEveryDueTimeOnceWithoutOverlapOrPassingAQuotaAndADeadNodeLosesNothing() throws Exception {
        SyncPolicy base = SyncPolicy.builder().mode(SyncMode.LIBERAL).defaultOptInPath("web").allowedCountries("US")
                .build();
        for (int t = 0; t < TENANTS; t++) {
            // Every tenth tenant has a quota small enough to be reached, reserved one call at a time.
            long quota = t % 10 == 0 ? 4 : 10_000;
            SyncPolicy policy = base.toBuilder().dailyApiQuota(quota).apiQuotaBlock(t % 10 == 0 ? 1 : 20).build();
            Tenant tenant = new Tenant("tenant" + t + "-in", new FakeConnector(50),
                    new InMemoryProfileStore(Clock.systemUTC()), policy, quota);
            tenants.put(tenant.jobId(), tenant);
            addRecord(tenant);
        }
        List<HikariDataSource> pools = new ArrayList<>();
        HikariDataSource first = TestPostgres.newDatabase(12);
        pools.add(first);
        String url = first.getJdbcUrl();
        List<QuartzSyncScheduler> nodes = new ArrayList<>();
        List<ScheduledExecutorService> renewals = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            HikariDataSource pool = i == 1 ? first : pool(url);
            if (i > 1) {
                pools.add(pool);
            }
            JdbcSyncStateStore store = JdbcSyncStateStore.open(pool);
            ScheduledExecutorService renewal = Executors.newSingleThreadScheduledExecutor();
            renewals.add(renewal);
            SyncEngine engine = SyncEngine.builder().owner("node-" + i).leaseDuration(Duration.ofSeconds(2))
                    .leaseRenewals(renewal).preparingThreads(1).build();
            boolean third = i == 3;
            Scheduler quartz = QuartzCluster.scheduler(pool, "crmsync-cluster-test", "node-" + i, 6,
                    Duration.ofMillis(500));
            quartz.getListenerManager().addJobListener(recorder());
            nodes.add(QuartzSyncScheduler.on(quartz, engine, id -> job(tenants.get(id), store, third),
                    (task, report) -> (frozenThreads.remove(Thread.currentThread()) ? wokenUp : reports).add(report)));
        }

        // The tasks' window opens ten seconds from now, in a zone where it is about noon (so no round
        // falls on a midnight), and closes fourteen seconds later: declaring 200 tasks on three nodes
        // is done before the first round.
        Instant now = Instant.now();
        int minutesToNoon = (int) Math.round((12 * 3600 - now.atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay())
                / 60.0);
        ZoneOffset zone = ZoneOffset.ofTotalSeconds(60 * (minutesToNoon > 12 * 60 ? minutesToNoon - 24 * 60
                : minutesToNoon < -12 * 60 ? minutesToNoon + 24 * 60 : minutesToNoon));
        LocalDateTime opens = LocalDateTime.ofInstant(now.plusSeconds(10), zone).withNano(0);
        Schedule schedule = Schedule.every(EVERY, opens.toLocalTime(), LocalTime.of(23, 59, 59), zone)
                .endingAt(opens.plusSeconds(14));
        for (QuartzSyncScheduler node : nodes) {
            // Every node declares every task; declaring it again changes nothing.
            for (Tenant tenant : tenants.values()) {
                node.schedule(tenant.jobId(), schedule, List.of(tenant.jobId()));
            }
        }
        Instant firstDue = schedule.nextAfter(now).orElseThrow();
        assertThat(Instant.now()).as("declared before the first round").isBefore(firstDue);
        List<Instant> due = new ArrayList<>();
        due.add(firstDue);
        due.addAll(schedule.upcoming(firstDue, 100));
        nodes.forEach(QuartzSyncScheduler::start);

        // The CRMs change during the first rounds, so runs have records to apply when node 3 dies.
        ScheduledExecutorService crmUsers = Executors.newSingleThreadScheduledExecutor();
        crmUsers.scheduleAtFixedRate(() -> tenants.values().forEach(this::addRecord), 0, 1, TimeUnit.SECONDS);
        sleepUntil(firstDue.plus(EVERY));
        frozen.set(true);
        assertThat(someRunFrozen.await(30, TimeUnit.SECONDS)).as("a run of node 3 stopped mid-run").isTrue();
        // Node 3 dies: it stops renewing leases and checking in, and its runs never come back.
        renewals.get(2).shutdownNow();
        nodes.get(2).quartz().shutdown(false);
        sleepUntil(firstDue.plus(EVERY.multipliedBy(2)));
        crmUsers.shutdown();
        assertThat(crmUsers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        int expected = TENANTS * due.size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (scheduledRuns() < expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        nodes.get(0).close();
        nodes.get(1).close();

        // Every due time of every task ran once (a run of the dead node counts by its original time).
        Map<String, List<Instant>> ran = new HashMap<>();
        for (Execution e : executions) {
            assertThat(e.trigger()).as("no run was fired again for a job running elsewhere").doesNotContain(".again.");
            ran.computeIfAbsent(e.task(), k -> new ArrayList<>()).add(e.scheduledFor());
        }
        for (Tenant tenant : tenants.values()) {
            List<Instant> times = ran.getOrDefault(tenant.jobId(), List.of());
            times.sort(null);
            assertThat(times).as(tenant.jobId()).isEqualTo(due);
        }
        assertThat(frozenRuns.get()).isPositive();
        assertThat(executions.stream().filter(Execution::recovering).count()).isGreaterThanOrEqualTo(frozenRuns.get());

        // No job overlapped itself: each run of a job started after the one before it finished.
        Map<String, List<SyncReport>> byJob = new HashMap<>();
        reports.forEach(r -> byJob.computeIfAbsent(r.jobId(), k -> new ArrayList<>()).add(r));
        for (List<SyncReport> runs : byJob.values()) {
            runs.sort(Comparator.comparing(SyncReport::startedAt));
            for (int i = 1; i < runs.size(); i++) {
                assertThat(runs.get(i).startedAt()).isAfterOrEqualTo(runs.get(i - 1).finishedAt());
            }
        }
        assertThat(reports).hasSize(expected);

        JdbcSyncStateStore store = JdbcSyncStateStore.open(first);
        for (Tenant tenant : tenants.values()) {
            // No quota passed: the shared counter (which also holds what a dead run reserved) stays within it.
            long counted = store.apiCallsUsed("acct-" + tenant.jobId(),
                    tenant.policy().apiQuotaWindow(), Instant.now());
            assertThat(counted).as(tenant.jobId()).isLessThanOrEqualTo(tenant.quota());
            // Nothing lost or duplicated: each CRM record that was read is in the application once.
            List<Profile> all = tenant.app().all().toList();
            assertThat(all.stream().map(p -> p.constituentId().orElseThrow()).distinct().count())
                    .as(tenant.jobId()).isEqualTo(all.size());
            if (tenant.quota() > 1_000) {
                assertThat(all).as(tenant.jobId()).hasSize(tenant.crm().size());
            }
        }
        System.out.printf("cluster: %d runs of %d tasks, %d stopped on the dead node and recovered, %d ended at"
                + " their quota%n", reports.size(), TENANTS, frozenRuns.get(), reports.stream()
                .filter(r -> r.status() == org.crmsync.report.RunStatus.QUOTA_REACHED).count());
        // The dead node's stopped runs, let go, find their leases taken over and write nothing more.
        thaw.countDown();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (wokenUp.size() < frozenRuns.get() && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertThat(wokenUp).hasSize(frozenRuns.get()).allSatisfy(r -> assertThat(r.message()).contains("lost its lease"));
        pools.forEach(HikariDataSource::close);
    }

    private SyncJob job(Tenant tenant, JdbcSyncStateStore store, boolean onDyingNode) {
        SyncListener listener = !onDyingNode ? SyncListener.NONE : new SyncListener() {
            @Override
            public void onRecord(RecordResult result) {
                if (frozen.get() && frozenThreads.add(Thread.currentThread())) {
                    frozenRuns.incrementAndGet();
                    someRunFrozen.countDown();
                    try {
                        thaw.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        return SyncJob.builder(tenant.jobId()).connectionId("acct-" + tenant.jobId()).connector(tenant.crm())
                .profiles(tenant.app()).state(store).mapping(FieldMapping.defaults()).policy(tenant.policy())
                .direction(SyncDirection.INBOUND).listener(listener).build();
    }

    private void addRecord(Tenant tenant) {
        int n = nextRecord.incrementAndGet();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("profile_first_name", "Ana");
        f.put("profile_last_name", "L" + n);
        f.put("profile_email", "a" + n + "@example.org");
        f.put("phone_number", "+1608" + (2_000_000 + n));
        f.put("address_country", "US");
        f.put("opt_in_status", "true");
        tenant.crm().put("C" + n, f);
    }

    private long scheduledRuns() {
        return executions.stream().filter(e -> !e.trigger().contains(".again.")).count();
    }

    private JobListener recorder() {
        return new JobListener() {
            @Override
            public String getName() {
                return "recorder";
            }

            @Override
            public void jobToBeExecuted(JobExecutionContext context) {
            }

            @Override
            public void jobExecutionVetoed(JobExecutionContext context) {
            }

            @Override
            public void jobWasExecuted(JobExecutionContext context, JobExecutionException failure) {
                Instant scheduled = context.getScheduledFireTime().toInstant();
                if (context.isRecovering()) {
                    scheduled = Instant.ofEpochMilli(Long.parseLong(context.getMergedJobDataMap()
                            .getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS)));
                }
                executions.add(new Execution(context.getJobDetail().getKey().getName(), scheduled,
                        context.isRecovering(), context.getTrigger().getKey().getName()));
            }
        };
    }

    private static HikariDataSource pool(String url) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setUsername("postgres");
        ds.setMaximumPoolSize(12);
        return ds;
    }

    private static void sleepUntil(Instant t) throws InterruptedException {
        long millis = Duration.between(Instant.now(), t).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
