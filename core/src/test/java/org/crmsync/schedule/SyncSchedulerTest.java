package org.crmsync.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.engine.SyncListener;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.RecordResult;
import org.crmsync.report.SyncReport;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.testing.FakeConnector;
import org.crmsync.testing.MutableClock;
import org.junit.jupiter.api.Test;

class SyncSchedulerTest {
    private final MutableClock clock = MutableClock.at("2026-09-01T00:00:00Z");
    private final FakeConnector crm = new FakeConnector();
    private final InMemorySyncStateStore state = new InMemorySyncStateStore();
    private final InMemoryProfileStore profiles = new InMemoryProfileStore(clock);
    private final SyncScheduler scheduler = new SyncScheduler(new SyncEngine(clock), clock);
    private final List<String> notified = new ArrayList<>();

    private SyncJob.Builder inbound() {
        return SyncJob.builder("nightly").connector(crm).profiles(profiles).state(state)
                .mapping(FieldMapping.defaults()).policy(SyncPolicy.builder().mode(SyncMode.LIBERAL).build())
                .direction(SyncDirection.INBOUND);
    }

    private void addContact(int i) {
        crm.put("A" + i, Map.of("phone_number", "+1415555" + (3000 + i), "profile_email", "p" + i + "@example.org",
                "opt_in_status", "true"));
    }

    @Test
    void aDailyTaskRunsAtItsTimeAndTheNotifierGetsEachReport() {
        addContact(1);
        scheduler.schedule("import", Schedule.daily(LocalDateTime.parse("2026-09-01T02:00"), ZoneOffset.UTC),
                List.of(inbound().build()), (task, report) -> notified.add(task + ":" + report.recordsRead()));

        assertThat(scheduler.runDue()).isEmpty();
        clock.advance(Duration.ofHours(2));
        assertThat(scheduler.runDue()).hasSize(1);
        assertThat(scheduler.runDue()).isEmpty(); // not twice for one time

        addContact(2);
        clock.advance(Duration.ofDays(1));
        scheduler.runDue();

        assertThat(notified).containsExactly("import:1", "import:1");
        assertThat(scheduler.task("import").orElseThrow().nextRun())
                .hasValue(java.time.Instant.parse("2026-09-03T02:00:00Z"));
    }

    @Test
    void runsMissedWhileTheApplicationWasDownAreMadeUpOnceNotOncePerMissedTime() {
        scheduler.schedule("outbound", Schedule.hourly(LocalDateTime.parse("2026-09-01T00:00"), ZoneOffset.UTC),
                List.of(inbound().build()), (task, report) -> notified.add(task));

        clock.advance(Duration.ofHours(10));
        scheduler.runDue();

        assertThat(notified).hasSize(1);
    }

    @Test
    void deactivatingStopsTheScheduleAndKeepsTheJobsState() {
        addContact(1);
        ScheduledSync task = scheduler.schedule("import", Schedule.hourly(LocalDateTime.parse("2026-09-01T00:00"),
                ZoneOffset.UTC), List.of(inbound().build()), SyncNotifier.NONE);
        scheduler.runDue();
        var cursor = state.cursor("nightly", SyncDirection.INBOUND);

        task.deactivate();
        clock.advance(Duration.ofHours(5));
        assertThat(scheduler.runDue()).isEmpty();
        assertThat(task.nextRun()).isEmpty();
        assertThat(state.cursor("nightly", SyncDirection.INBOUND)).isEqualTo(cursor).isPresent();

        addContact(2);
        scheduler.activate("import");
        clock.advance(Duration.ofHours(1));
        List<SyncReport> reports = scheduler.runDue();

        assertThat(reports).singleElement().satisfies(r -> assertThat(r.recordsRead()).isEqualTo(1));
    }

    @Test
    void aTaskStillRunningIsNotStartedAgain() throws Exception {
        addContact(1);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SyncJob slow = inbound().listener(new SyncListener() {
            @Override
            public void onRecord(RecordResult result) {
                inside.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }).build();
        scheduler.schedule("import", Schedule.hourly(LocalDateTime.parse("2026-09-01T00:00"), ZoneOffset.UTC),
                List.of(slow), SyncNotifier.NONE);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<List<SyncReport>> first = pool.submit(scheduler::runDue);
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(scheduler.runDue()).isEmpty();

            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingNotifierDoesNotStopTheSchedule() {
        scheduler.schedule("import", Schedule.hourly(LocalDateTime.parse("2026-09-01T00:00"), ZoneOffset.UTC),
                List.of(inbound().build()), (task, report) -> {
                    throw new IllegalStateException("mail server down");
                });

        org.crmsync.testing.CapturedLog log = org.crmsync.testing.CapturedLog.during(() -> {
            assertThat(scheduler.runDue()).hasSize(1);
            clock.advance(Duration.ofHours(1));
            assertThat(scheduler.runDue()).hasSize(1);
            return null;
        });

        assertThat(log.text()).contains("notifier of task import failed", "mail server down");
    }

    @Test
    void startedInTheBackgroundItRunsDueTasksAndCloseStopsIt() throws Exception {
        addContact(1);
        CountDownLatch ran = new CountDownLatch(1);
        scheduler.schedule("import", Schedule.hourly(LocalDateTime.parse("2026-09-01T00:00"), ZoneOffset.UTC),
                List.of(inbound().build()), (task, report) -> ran.countDown());

        scheduler.start(Duration.ofMillis(10));
        try {
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> scheduler.start(Duration.ofMillis(10)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        } finally {
            scheduler.close();
        }

        clock.advance(Duration.ofHours(1)); // due again, but nothing polls any more
        assertThat(scheduler.task("import").orElseThrow().lastReports()).hasSize(1);
        scheduler.start(Duration.ofMillis(10)); // a closed scheduler can start again
        scheduler.close();
    }
}
