package org.crmsync.quartz;

import java.time.Instant;
import java.util.Date;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.engine.SyncJob;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz job of one crmsync task: runs its sync jobs in order with the node's engine. Quartz
 * creates it by name on whichever node fires the task; applications do not use it directly.
 *
 * <p>{@code @DisallowConcurrentExecution} keeps Quartz from firing a task on two nodes at once; the
 * engine's run lease keeps a sync job from running twice anywhere even so (a run started by the
 * application itself, a recovered task whose dead node's lease has not expired yet). A run ending
 * {@code WAITING_FOR_REMOTE} is fired again for that job at its {@code retryAfter}; a job found
 * running elsewhere ({@code CONCURRENT_RUN}) is tried again once its lease can have expired.
 */
@DisallowConcurrentExecution
public final class SyncTaskJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(SyncTaskJob.class);
    static final String JOB_IDS = "crmsync.jobIds";
    static final String SCHEDULE = "crmsync.schedule";

    /** For Quartz. */
    public SyncTaskJob() {
    }

    @Override
    public void execute(JobExecutionContext context) {
        QuartzSyncScheduler.Node node = QuartzSyncScheduler.node(context.getScheduler());
        String task = context.getJobDetail().getKey().getName();
        for (String jobId : context.getMergedJobDataMap().getString(JOB_IDS).split(",")) {
            SyncJob job;
            try {
                job = node.jobs().job(jobId);
            } catch (RuntimeException e) {
                LOG.error("task {}: this node cannot build sync job {}; it runs at the task's next time", task,
                        jobId, e);
                continue;
            }
            try {
                SyncReport report = node.engine().run(job);
                node.notify(task, report);
                if (report.status() == RunStatus.WAITING_FOR_REMOTE && report.retryAfter().isPresent()) {
                    fireAgain(context, jobId, report.retryAfter().get(), "the CRM is still preparing its changes");
                }
            } catch (CrmSyncException e) {
                if (e.code() != ErrorCode.CONCURRENT_RUN) {
                    throw e;
                }
                LOG.warn("task {}: sync job {} is running elsewhere; tried again when its lease can have expired",
                        task, jobId);
                fireAgain(context, jobId, Instant.now().plus(node.engine().leaseDuration()), "it was running elsewhere");
            }
        }
    }

    /** One more firing of this task for one job, replacing an earlier one not yet fired. */
    private static void fireAgain(JobExecutionContext context, String jobId, Instant at, String why) {
        TriggerKey key = TriggerKey.triggerKey(context.getJobDetail().getKey().getName() + ".again." + jobId,
                context.getJobDetail().getKey().getGroup());
        Trigger again = TriggerBuilder.newTrigger().withIdentity(key).forJob(context.getJobDetail())
                .usingJobData(JOB_IDS, jobId).startAt(Date.from(at))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow()).build();
        try {
            if (context.getScheduler().checkExists(key)) {
                context.getScheduler().rescheduleJob(key, again);
            } else {
                context.getScheduler().scheduleJob(again);
            }
            LOG.info("sync job {} runs again at {}: {}", jobId, at, why);
        } catch (SchedulerException e) {
            LOG.error("could not schedule sync job {} again at {}; it runs at its task's next time", jobId, at, e);
        }
    }
}
