package org.crmsync.engine;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.PreflightProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sync jobs. A plain object the application calls, from its own scheduler or thread; it holds no
 * state between runs beyond the set of jobs running now (the job's state store remembers the rest).
 *
 * <p>A run never throws for one record's failure: that is a report row, kept for retry. It throws
 * only when the job cannot be run at all (two runs of one job at once). Everything else, including a
 * CRM that cannot be reached, ends the run with a report whose {@link SyncReport#status()} says so.
 */
public final class SyncEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

    private final Clock clock;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    /** An engine on the system UTC clock. */
    public SyncEngine() {
        this(Clock.systemUTC());
    }

    /** An engine on the given clock (tests use a fixed or mutable clock). */
    public SyncEngine(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Runs the job once and returns its report, which the job's state store also keeps (except for
     * dry runs, which write nothing but the API calls they used).
     *
     * @throws CrmSyncException with code {@code CONCURRENT_RUN} when the same job is already running
     */
    public SyncReport run(SyncJob job) {
        requireNonNull(job, "job");
        if (!running.add(job.id())) {
            throw new CrmSyncException(ErrorCode.CONCURRENT_RUN, "sync job " + job.id()
                    + " is already running; runs of one job never overlap");
        }
        try {
            return runOnce(job);
        } finally {
            running.remove(job.id());
        }
    }

    private SyncReport runOnce(SyncJob job) {
        Instant started = clock.instant();
        LocalDate day = LocalDate.ofInstant(started, ZoneOffset.UTC);
        SyncReport.Builder report = SyncReport.builder(job.id(), job.connector().providerId(), job.direction(), started)
                .dryRun(job.dryRun());
        QuotaMeter meter = new QuotaMeter(job.state(), job.connectionId(), day, job.policy().dailyApiQuota());
        RunContext ctx = new RunContext(job.id(), job.direction(), job.mapping(), job.policy(), meter, clock, job.dryRun());
        Progress progress = new Progress(report, job.listener());
        LOG.info("starting {}", job);
        try {
            List<PreflightProblem> problems = job.connector().preflight(ctx);
            if (!problems.isEmpty()) {
                problems.forEach(p -> report.preflightProblem(p.toString()));
                report.status(RunStatus.PREFLIGHT_FAILED, problems.size() + " preflight problem(s); no record was"
                        + " synced: " + problems.get(0) + (problems.size() > 1 ? " (and more)" : ""));
            } else if (job.direction() == SyncDirection.INBOUND) {
                new InboundRun(job, ctx, meter, report, progress).run();
            } else {
                new OutboundRun(job, ctx, meter, report, progress).run();
            }
        } catch (CrmSyncException e) {
            RunStatus status = e.code() == ErrorCode.QUOTA_EXHAUSTED ? RunStatus.QUOTA_REACHED : RunStatus.FAILED;
            report.status(status, e.getMessage());
            LOG.warn("sync job {} stopped: {}", job.id(), e.getMessage());
        } catch (RuntimeException e) {
            report.status(RunStatus.FAILED, "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
            LOG.error("sync job {} failed unexpectedly", job.id(), e);
        } finally {
            meter.flush();
        }
        report.apiCallsUsed(meter.used());
        SyncReport finished = report.finish(clock.instant());
        if (!job.dryRun()) {
            try {
                job.state().saveReport(finished);
            } catch (RuntimeException e) {
                LOG.warn("could not keep the report of {} in the state store", job.id(), e);
            }
        }
        LOG.info("{}", finished.summary());
        try {
            job.listener().onRunFinished(finished);
        } catch (RuntimeException e) {
            LOG.warn("sync listener failed", e);
        }
        return finished;
    }
}
