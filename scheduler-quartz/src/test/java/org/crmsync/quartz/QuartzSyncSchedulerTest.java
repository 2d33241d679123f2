package org.crmsync.quartz;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.schedule.Schedule;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.testing.FakeConnector;
import org.junit.jupiter.api.Test;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.listeners.JobListenerSupport;

/** The adapter on one Quartz node (its in-memory job store): declaring tasks, and a run that must wait. */
class QuartzSyncSchedulerTest {
    private final InMemorySyncStateStore state = new InMemorySyncStateStore();
    private final FakeConnector crm = new FakeConnector().changesAsExportJob(1);
    private final Queue<SyncReport> reports = new ConcurrentLinkedQueue<>();

    private Scheduler memoryQuartz(String name) throws Exception {
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, name);
        p.setProperty("org.quartz.threadPool.threadCount", "2");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        Scheduler s = new StdSchedulerFactory(p).getScheduler();
        SchedulerRepository.getInstance().remove(name);
        return s;
    }

    private SyncJob job(String id) {
        return SyncJob.builder(id).connector(crm).profiles(new InMemoryProfileStore()).state(state)
                .mapping(FieldMapping.defaults()).policy(SyncPolicy.builder().build())
                .direction(SyncDirection.INBOUND).build();
    }

    @Test
    void aRunWaitingForTheCrmFiresAgainAtItsRetryAfterForThatJobOnly() throws Exception {
        Scheduler quartz = memoryQuartz("waiting");
        QuartzSyncScheduler scheduler = QuartzSyncScheduler.on(quartz, new SyncEngine(), this::job,
                (task, report) -> reports.add(report));
        scheduler.schedule("tenant1-inbound", Schedule.nightly(LocalTime.of(2, 0), ZoneOffset.UTC),
                List.of("tenant1-in"));
        CountDownLatch ran = new CountDownLatch(1);
        quartz.getListenerManager().addJobListener(new JobListenerSupport() {
            @Override
            public String getName() {
                return "ran";
            }

            @Override
            public void jobWasExecuted(JobExecutionContext context, JobExecutionException failure) {
                ran.countDown();
            }
        });
        scheduler.start();
        try {
            quartz.triggerJob(JobKey.jobKey("tenant1-inbound", QuartzSyncScheduler.GROUP));
            assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();

            SyncReport waiting = reports.peek();
            assertThat(waiting.status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);
            assertThat(scheduler.nextRuns("tenant1-inbound"))
                    .contains(waiting.retryAfter().orElseThrow().truncatedTo(ChronoUnit.MILLIS));
            assertThat(quartz.getTriggersOfJob(JobKey.jobKey("tenant1-inbound", QuartzSyncScheduler.GROUP)))
                    .filteredOn(t -> t.getKey().getName().contains(".again."))
                    .singleElement().satisfies(t -> assertThat(t.getJobDataMap().getString(SyncTaskJob.JOB_IDS))
                            .isEqualTo("tenant1-in"));
        } finally {
            scheduler.close();
        }
    }

    @Test
    void declaringATaskAgainAsItIsChangesNothingAndAChangedScheduleReplacesItsTriggers() throws Exception {
        Scheduler quartz = memoryQuartz("declaring");
        QuartzSyncScheduler scheduler = QuartzSyncScheduler.on(quartz, new SyncEngine(), this::job,
                (task, report) -> reports.add(report));
        Schedule every = Schedule.every(Duration.ofMinutes(5), LocalTime.of(0, 0), LocalTime.of(23, 59), ZoneOffset.UTC);
        scheduler.schedule("t", every, List.of("t-out"));
        List<java.time.Instant> first = scheduler.nextRuns("t");
        scheduler.schedule("t", every, List.of("t-out"));
        assertThat(scheduler.nextRuns("t")).isEqualTo(first);

        scheduler.schedule("t", Schedule.nightly(LocalTime.of(2, 0), ZoneOffset.UTC), List.of("t-out"));
        assertThat(scheduler.nextRuns("t")).hasSize(1).isNotEqualTo(first);
        assertThat(scheduler.unschedule("t")).isTrue();
        assertThat(scheduler.nextRuns("t")).isEmpty();
        quartz.shutdown();
    }
}
