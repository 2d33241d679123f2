package org.crmsync.schedule;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.report.SyncReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scheduler an application can use instead of its own: tasks of one or more sync jobs on a
 * {@link Schedule}, each run's reports handed to a {@link SyncNotifier}. Runs of one task never
 * overlap; a task still running when its next time comes is not started twice.
 *
 * <p>{@link #runDue()} runs, on the calling thread, every task that is due by the clock; that is all
 * a test with a fake clock or an application with its own timer needs. {@link #start(Duration)}
 * calls it periodically on a single background thread until {@link #close()}.
 */
public final class SyncScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncScheduler.class);

    private final SyncEngine engine;
    private final Clock clock;
    private final Map<String, ScheduledSync> tasks = new ConcurrentHashMap<>();
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> polling;

    public SyncScheduler(SyncEngine engine, Clock clock) {
        this.engine = requireNonNull(engine, "engine");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Schedules {@code jobs}, run in order at each time of {@code schedule}.
     *
     * @throws IllegalArgumentException when a task of that name exists
     */
    public ScheduledSync schedule(String name, Schedule schedule, List<SyncJob> jobs, SyncNotifier notifier) {
        List<SyncJob> fixed = List.copyOf(requireNonNull(jobs, "jobs"));
        if (fixed.isEmpty()) {
            throw new IllegalArgumentException("task " + name + " has no job to run");
        }
        return schedule(name, schedule, () -> fixed, notifier);
    }

    /** Schedules jobs built afresh for each run (for example with a new connector configuration). */
    public ScheduledSync schedule(String name, Schedule schedule, Supplier<List<SyncJob>> jobs,
            SyncNotifier notifier) {
        requireNonNull(name, "name");
        requireNonNull(schedule, "schedule");
        requireNonNull(jobs, "jobs");
        requireNonNull(notifier, "notifier");
        ScheduledSync task = new ScheduledSync(name, schedule, jobs, notifier, clock.instant());
        if (tasks.putIfAbsent(name, task) != null) {
            throw new IllegalArgumentException("a task named " + name + " is already scheduled");
        }
        return task;
    }

    public Optional<ScheduledSync> task(String name) {
        return Optional.ofNullable(tasks.get(name));
    }

    public List<ScheduledSync> tasks() {
        return List.copyOf(tasks.values());
    }

    /** Activates a deactivated task; it next runs at its first time after now. */
    public void activate(String name) {
        ScheduledSync task = tasks.get(name);
        if (task == null) {
            throw new IllegalArgumentException("no task named " + name);
        }
        task.activate(clock.instant());
    }

    /** Runs every task due by the clock, on this thread; returns the reports of the runs. */
    public List<SyncReport> runDue() {
        List<SyncReport> all = new ArrayList<>();
        for (ScheduledSync task : tasks.values()) {
            if (!task.due(clock.instant()) || !task.tryStart()) {
                continue;
            }
            List<SyncReport> reports = new ArrayList<>();
            try {
                for (SyncJob job : task.jobs()) {
                    try {
                        SyncReport report = engine.run(job);
                        reports.add(report);
                        notify(task, report);
                    } catch (CrmSyncException e) {
                        if (e.code() != ErrorCode.CONCURRENT_RUN) {
                            throw e;
                        }
                        LOG.warn("task {}: job {} is already running elsewhere; skipped this time", task.name(),
                                job.id());
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("task {} failed; it runs again at its next time", task.name(), e);
            } finally {
                task.finished(reports, clock.instant());
            }
            all.addAll(reports);
        }
        return all;
    }

    private static void notify(ScheduledSync task, SyncReport report) {
        try {
            task.notifier().onReport(task.name(), report);
        } catch (RuntimeException e) {
            LOG.warn("notifier of task {} failed", task.name(), e);
        }
    }

    /** Calls {@link #runDue()} every {@code pollEvery} on a background thread of its own. */
    public synchronized void start(Duration pollEvery) {
        requireNonNull(pollEvery, "pollEvery");
        if (executor != null) {
            throw new IllegalStateException(polling.isCancelled()
                    ? "the scheduler is still closing: a run is in progress" : "the scheduler is already started");
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "crmsync-scheduler");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, pollEvery.toMillis());
        polling = executor.scheduleWithFixedDelay(this::runDueQuietly, 0, millis, TimeUnit.MILLISECONDS);
    }

    private void runDueQuietly() {
        try {
            runDue();
        } catch (RuntimeException e) {
            LOG.error("scheduler pass failed", e);
        }
    }

    /**
     * Stops the background thread, waiting for a run in progress to finish first (runs are never cut
     * off half way). If the waiting thread is interrupted, the scheduler keeps closing in the background
     * and {@link #start} refuses until it has.
     */
    @Override
    public synchronized void close() {
        if (executor == null) {
            return;
        }
        polling.cancel(false);
        executor.shutdown();
        try {
            while (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.info("scheduler closing: waiting for the run in progress to finish");
            }
            executor = null;
            polling = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The instant the clock says it is, for callers that show schedules. */
    public Instant now() {
        return clock.instant();
    }
}
