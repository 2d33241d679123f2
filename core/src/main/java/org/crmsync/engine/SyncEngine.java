package org.crmsync.engine;

import static java.util.Objects.requireNonNull;

import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorSession;
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
    /** How long a passing preflight of a job is trusted by default. */
    public static final Duration DEFAULT_PREFLIGHT_VALIDITY = Duration.ofHours(1);

    private final Clock clock;
    private final Duration preflightValidity;
    private final int preparingThreads;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Map<String, PassedPreflight> preflights = new ConcurrentHashMap<>();

    /**
     * A job's last passing preflight: with which connector object and settings, and when. A new
     * connector (a configuration change makes one), another mapping, policy or direction, or a failed
     * preflight since, means preflight runs again.
     */
    private record PassedPreflight(WeakReference<Connector> connector, String settings, Instant at) {
        boolean stillGood(Connector c, String now, Instant time, Duration validity) {
            return connector.get() == c && settings.equals(now) && time.isBefore(at.plus(validity));
        }
    }

    /** An engine on the system UTC clock. */
    public SyncEngine() {
        this(Clock.systemUTC());
    }

    /** An engine on the given clock (tests use a fixed or mutable clock). */
    public SyncEngine(Clock clock) {
        this(clock, DEFAULT_PREFLIGHT_VALIDITY);
    }

    /**
     * An engine that trusts a job's passing preflight for {@code preflightValidity}: preflight costs
     * API calls, and a job run every five minutes would spend hundreds of them a day on it. Preflight
     * always runs again after a failure, for a new connector (a changed configuration), or when the
     * job's mapping, policy or direction changed. {@code Duration.ZERO} runs it every time.
     */
    public SyncEngine(Clock clock, Duration preflightValidity) {
        this(clock, preflightValidity, defaultPreparingThreads());
    }

    /**
     * An engine that also says how many threads an inbound run prepares records on: maps them and checks
     * their phones and countries (pure work, most of an inbound sync's time) while the profile store
     * takes them one at a time, in order. 1 prepares on the run's own thread; the default is the
     * processors available, at most 4. The threads are the run's and end with it. Mapping converters
     * run on them, so they must be thread-safe (a mapping is shared by concurrent jobs anyway).
     */
    public SyncEngine(Clock clock, Duration preflightValidity, int preparingThreads) {
        this.clock = requireNonNull(clock, "clock");
        this.preflightValidity = requireNonNull(preflightValidity, "preflightValidity");
        if (preflightValidity.isNegative()) {
            throw new IllegalArgumentException("preflightValidity may not be negative: " + preflightValidity);
        }
        if (preparingThreads < 1) {
            throw new IllegalArgumentException("preparingThreads must be 1 or more, was " + preparingThreads);
        }
        this.preparingThreads = preparingThreads;
    }

    private static int defaultPreparingThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
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
                .dryRun(job.dryRun()).keepRows(job.reportRowsKept());
        QuotaMeter meter = new QuotaMeter(job.state(), job.connectionId(), day, job.policy().dailyApiQuota());
        RunContext ctx = new RunContext(job.id(), job.direction(), job.mapping(), job.policy(), meter, clock, job.dryRun());
        Progress progress = new Progress(report, job.listener(), job.reportSink());
        LOG.info("starting {}", job);
        try (ConnectorSession session = job.connector().open(ctx)) {
            List<PreflightProblem> problems = preflight(job, session);
            if (!problems.isEmpty()) {
                problems.forEach(p -> report.preflightProblem(p.toString()));
                report.status(RunStatus.PREFLIGHT_FAILED, problems.size() + " preflight problem(s); no record was"
                        + " synced: " + problems.get(0) + (problems.size() > 1 ? " (and more)" : ""));
            } else if (job.direction() == SyncDirection.INBOUND) {
                java.util.concurrent.ExecutorService preparers = preparingThreads > 1
                        ? java.util.concurrent.Executors.newFixedThreadPool(preparingThreads, r -> {
                            Thread t = new Thread(r, "crmsync-prepare-" + job.id());
                            t.setDaemon(true);
                            return t;
                        }) : null;
                try {
                    new InboundRun(job, session, ctx, meter, report, progress, preparers).run();
                } finally {
                    if (preparers != null) {
                        preparers.shutdownNow();
                    }
                }
            } else if (job.direction() == SyncDirection.ACTIVITIES) {
                new ActivityRun(job, session, ctx, meter, report, progress).run();
            } else {
                new OutboundRun(job, session, ctx, meter, report, progress).run();
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
        if (report.status() != RunStatus.COMPLETED && report.status() != RunStatus.WAITING_FOR_REMOTE) {
            preflights.remove(job.id()); // a failed run checks everything again next time
        }
        report.apiCallsUsed(meter.used());
        progress.flushSink();
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

    /** The session's preflight, unless the same job passed it recently with the same connector and settings. */
    private List<PreflightProblem> preflight(SyncJob job, ConnectorSession session) {
        String settings = job.direction() + " " + job.mapping() + " " + job.policy();
        Instant now = clock.instant();
        PassedPreflight passed = preflights.get(job.id());
        if (passed != null && passed.stillGood(job.connector(), settings, now, preflightValidity)) {
            return List.of();
        }
        preflights.remove(job.id());
        List<PreflightProblem> problems = session.preflight();
        if (problems.isEmpty() && !preflightValidity.isZero()) {
            preflights.put(job.id(), new PassedPreflight(new WeakReference<>(job.connector()), settings, now));
        }
        return problems;
    }
}
