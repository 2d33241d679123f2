package org.crmsync.quartz;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.engine.SyncEngine;
import org.crmsync.report.SyncReport;
import org.crmsync.schedule.Schedule;
import org.crmsync.schedule.SyncNotifier;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tenants' sync tasks on Quartz: each task (a name, a {@link Schedule}, the ids of its sync jobs,
 * run in order) becomes a durable Quartz job with the triggers of its schedule (see {@link
 * QuartzTriggers}); on a clustered JDBC job store ({@link QuartzCluster}) every node runs tasks with
 * its own {@link SyncEngine} and {@link SyncJobResolver}, and Quartz shares the tasks among them.
 *
 * <p>What a cluster guarantees: a task never runs on two nodes at once ({@code
 * @DisallowConcurrentExecution}), and a sync job never runs twice at once anywhere (the engine's lease
 * in the {@link org.crmsync.store.JdbcSyncStateStore}); every due time of a task fires once; the tasks
 * of a node that dies are recovered by the others (its in-flight tasks are marked to request recovery
 * and fire again, and the sync jobs they were running are taken over from their last checkpoint once
 * their leases expire); a run that ends {@code WAITING_FOR_REMOTE} fires again at its {@code retryAfter}.
 *
 * <p>Only what is needed to find the task again goes into Quartz's tables: its name, schedule and job
 * ids. Connectors, credentials and stores stay in each node's resolver. The bundled
 * {@link org.crmsync.schedule.SyncScheduler} remains the choice for one process.
 */
public final class QuartzSyncScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuartzSyncScheduler.class);
    /** The Quartz group of crmsync's jobs and triggers. */
    public static final String GROUP = "crmsync";
    private static final String NODE = "crmsync.node";

    private final Scheduler quartz;
    private final Clock clock;

    /** What a node runs tasks with; kept in the Quartz scheduler's (in-memory, per node) context. */
    record Node(SyncEngine engine, SyncJobResolver jobs, SyncNotifier notifier) {
        void notify(String task, SyncReport report) {
            try {
                notifier.onReport(task, report);
            } catch (RuntimeException e) {
                LOG.warn("notifier of task {} failed", task, e);
            }
        }
    }

    private QuartzSyncScheduler(Scheduler quartz, Clock clock) {
        this.quartz = quartz;
        this.clock = clock;
    }

    /**
     * This node's scheduler on {@code quartz} (not started yet: call {@link #start()}).
     *
     * @param engine runs the sync jobs on this node
     * @param jobs builds a sync job from its id on this node
     * @param notifier receives every run's report on this node
     */
    public static QuartzSyncScheduler on(Scheduler quartz, SyncEngine engine, SyncJobResolver jobs,
            SyncNotifier notifier) {
        requireNonNull(quartz, "quartz");
        requireNonNull(engine, "engine");
        requireNonNull(jobs, "jobs");
        requireNonNull(notifier, "notifier");
        try {
            quartz.getContext().put(NODE, new Node(engine, jobs, notifier));
        } catch (SchedulerException e) {
            throw failure("could not prepare the Quartz scheduler", e);
        }
        return new QuartzSyncScheduler(quartz, Clock.systemUTC());
    }

    static Node node(Scheduler quartz) {
        try {
            Object node = quartz.getContext().get(NODE);
            if (!(node instanceof Node)) {
                throw new IllegalStateException("Quartz scheduler " + quartz.getSchedulerName() + " fired a crmsync"
                        + " task but was not set up with QuartzSyncScheduler.on(...)");
            }
            return (Node) node;
        } catch (SchedulerException e) {
            throw failure("could not read the Quartz scheduler's context", e);
        }
    }

    /**
     * Schedules the task, or changes its schedule or jobs; scheduling it again as it is changes nothing
     * (so every node may declare every task at start-up). Its first run is the schedule's first time
     * after now.
     *
     * @param jobIds the task's sync jobs, run in order each time
     */
    public void schedule(String taskName, Schedule schedule, List<String> jobIds) {
        requireNonNull(taskName, "taskName");
        requireNonNull(schedule, "schedule");
        List<String> ids = List.copyOf(requireNonNull(jobIds, "jobIds"));
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("task " + taskName + " has no job to run");
        }
        for (String id : ids) {
            if (!id.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("job id '" + id + "' may only contain letters, digits, '.', '_' and '-'");
            }
        }
        JobKey key = JobKey.jobKey(taskName, GROUP);
        String joined = String.join(",", ids);
        try {
            JobDetail existing = quartz.getJobDetail(key);
            if (existing != null && schedule.toString().equals(existing.getJobDataMap().getString(SyncTaskJob.SCHEDULE))
                    && joined.equals(existing.getJobDataMap().getString(SyncTaskJob.JOB_IDS))) {
                return;
            }
            JobDetail detail = JobBuilder.newJob(SyncTaskJob.class).withIdentity(key).storeDurably()
                    .requestRecovery().usingJobData(SyncTaskJob.JOB_IDS, joined)
                    .usingJobData(SyncTaskJob.SCHEDULE, schedule.toString())
                    .withDescription("crmsync task " + taskName + ": " + schedule).build();
            Set<Trigger> triggers = new HashSet<>(QuartzTriggers.of(schedule, key, clock.instant()));
            quartz.scheduleJob(detail, triggers, true);
        } catch (SchedulerException e) {
            throw failure("could not schedule task " + taskName, e);
        }
    }

    /** Removes the task and its triggers; a run in progress finishes. False when there was no such task. */
    public boolean unschedule(String taskName) {
        try {
            return quartz.deleteJob(JobKey.jobKey(requireNonNull(taskName, "taskName"), GROUP));
        } catch (SchedulerException e) {
            throw failure("could not remove task " + taskName, e);
        }
    }

    /** When the task fires next, each of its triggers (retries included), earliest first. */
    public List<Instant> nextRuns(String taskName) {
        try {
            List<Instant> next = new ArrayList<>();
            for (Trigger t : quartz.getTriggersOfJob(JobKey.jobKey(taskName, GROUP))) {
                if (t.getNextFireTime() != null) {
                    next.add(t.getNextFireTime().toInstant());
                }
            }
            next.sort(null);
            return next;
        } catch (SchedulerException e) {
            throw failure("could not read the triggers of task " + taskName, e);
        }
    }

    /** Starts firing tasks on this node. */
    public void start() {
        try {
            quartz.start();
        } catch (SchedulerException e) {
            throw failure("could not start the Quartz scheduler", e);
        }
    }

    /** The Quartz scheduler underneath. */
    public Scheduler quartz() {
        return quartz;
    }

    /** Stops this node, waiting for the runs in progress to finish; the other nodes carry on with its tasks. */
    @Override
    public void close() {
        try {
            quartz.shutdown(true);
        } catch (SchedulerException e) {
            throw failure("could not stop the Quartz scheduler", e);
        }
    }

    private static CrmSyncException failure(String what, SchedulerException e) {
        return new CrmSyncException(ErrorCode.INTERNAL, what + ": " + e.getMessage(), e);
    }
}
