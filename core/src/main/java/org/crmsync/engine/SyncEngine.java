package org.crmsync.engine;

import static java.util.Objects.requireNonNull;

import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.report.ReportSink;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.PreflightProblem;
import org.crmsync.store.RunLease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sync jobs. A plain object the application calls, from its own scheduler or thread; it holds no
 * state between runs beyond the preflights it trusts (the job's state store remembers the rest).
 *
 * <p>A run never throws for one record's failure: that is a report row, kept for retry. It throws
 * only when the job cannot be run at all (two runs of one job at once). Everything else, including a
 * CRM that cannot be reached, ends the run with a report whose {@link SyncReport#status()} says so.
 *
 * <p>Runs of one job never overlap: a run first takes the job's lease in the job's state store
 * ({@link org.crmsync.store.SyncStateStore#acquireLease}), in the name of this engine's {@link
 * #owner()}, for the {@linkplain Builder#leaseDuration lease duration}, and renews it every third of
 * that duration while it runs (and before a checkpoint's write once a third has passed); a second run of the job, by this engine
 * or any other sharing the store (on any server, with {@link org.crmsync.store.JdbcSyncStateStore}),
 * fails with {@code CONCURRENT_RUN}. When a server dies, its lease expires, and the next run of the
 * job takes it over and carries on from the last checkpoint (records after it are read again: an
 * inbound record applied twice changes nothing the second time, and an outbound create looks for the
 * record it may have made before making it). A run that finds its lease taken over stops writing.
 */
public final class SyncEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    /** How long a passing preflight of a job is trusted by default. */
    public static final Duration DEFAULT_PREFLIGHT_VALIDITY = Duration.ofHours(1);

    private final Clock clock;
    private final Duration preflightValidity;
    /** How long a run's lease lasts unless renewed, unless the engine is told otherwise. */
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofMinutes(2);

    private final int preparingThreads;
    private final String owner;
    private final Duration leaseDuration;
    private final ScheduledExecutorService renewals;
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
        this(builder().clock(clock).preflightValidity(preflightValidity).preparingThreads(preparingThreads));
    }

    private SyncEngine(Builder b) {
        this.clock = b.clock;
        this.preflightValidity = b.preflightValidity;
        this.preparingThreads = b.preparingThreads;
        this.owner = b.owner != null ? b.owner : defaultOwner();
        this.leaseDuration = b.leaseDuration;
        this.renewals = b.renewals != null ? b.renewals : defaultRenewals();
    }

    /** Settings beyond the constructors': the lease's owner name and duration, the renewal thread. */
    public static Builder builder() {
        return new Builder();
    }

    /** Who this engine's runs hold their leases as: the process ({@code pid@host}) and a random part. */
    public String owner() {
        return owner;
    }

    /** How long a run's lease lasts unless renewed: how soon a job of a dead server may run elsewhere. */
    public Duration leaseDuration() {
        return leaseDuration;
    }

    private static String defaultOwner() {
        String process = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
        return process + "#" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** One daemon thread renewing leases, ending when no run is going on. */
    private static ScheduledExecutorService defaultRenewals() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "crmsync-lease-renewal");
            t.setDaemon(true);
            return t;
        });
        executor.setKeepAliveTime(30, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private static int defaultPreparingThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Runs the job once and returns its report, which the job's state store also keeps (except for
     * dry runs, which write nothing but the API calls they used).
     *
     * @throws CrmSyncException with code {@code CONCURRENT_RUN} when the same job is already running
     *     (anywhere the job's state store is shared), or {@code STORAGE_FAILED} when the state store
     *     cannot give the run its lease
     */
    public SyncReport run(SyncJob job) {
        requireNonNull(job, "job");
        RunLease lease = job.state().acquireLease(job.id(), owner, clock.instant(), leaseDuration);
        lease.tookOverFrom().ifPresent(previous -> LOG.warn("sync job {}: the lease of {} expired; this run takes"
                + " the job over and carries on from the last checkpoint", job.id(), previous));
        LeasedStateStore leased = new LeasedStateStore(job.state(), lease, clock, leaseDuration);
        try {
            long every = Math.max(1, leaseDuration.toMillis() / 3);
            leased.renewingBy(renewals.scheduleWithFixedDelay(leased::renewQuietly, every, every,
                    TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The application shut its renewal executor down: renewals happen at checkpoints only.
            LOG.warn("sync job {}: the lease renewal executor refused the task; the lease is renewed at"
                    + " checkpoints only", job.id());
        }
        try {
            return runOnce(job.toBuilder().state(leased).build(), job);
        } finally {
            leased.release();
        }
    }

    private SyncReport runOnce(SyncJob job, SyncJob asGiven) {
        Instant started = clock.instant();
        SyncReport.Builder report = SyncReport.builder(job.id(), job.connector().providerId(), job.direction(), started)
                .dryRun(job.dryRun()).keepRows(job.reportRowsKept());
        QuotaMeter meter = new QuotaMeter(job.state(), job.connectionId(), job.policy().apiQuotaWindow(),
                job.policy().dailyApiQuota(), job.policy().apiQuotaBlock(), clock);
        RunContext ctx = new RunContext(job.id(), job.direction(), job.mapping(), job.policy(), meter, clock, job.dryRun());
        ReportSink kept = ReportSink.NONE;
        if (!job.dryRun()) {
            try {
                kept = asGiven.state().reportRows(job.id(), job.direction(), started);
            } catch (RuntimeException e) {
                LOG.warn("sync job {}: the state store cannot keep this run's report rows; they go to the job's"
                        + " sink only: {}", job.id(), e.toString());
            }
        }
        Progress progress = new Progress(report, job.listener(), List.of(job.reportSink(), kept));
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
            meter.finish();
        }
        if (report.status() != RunStatus.COMPLETED && report.status() != RunStatus.WAITING_FOR_REMOTE) {
            preflights.remove(job.id()); // a failed run checks everything again next time
        }
        report.apiCallsUsed(meter.used());
        progress.flushSink();
        SyncReport finished = report.finish(clock.instant());
        if (!job.dryRun()) {
            try {
                asGiven.state().saveReport(finished);
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

    /** Builds a {@link SyncEngine}; every setting has the default the constructors use. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration preflightValidity = DEFAULT_PREFLIGHT_VALIDITY;
        private int preparingThreads = defaultPreparingThreads();
        private String owner;
        private Duration leaseDuration = DEFAULT_LEASE_DURATION;
        private ScheduledExecutorService renewals;

        private Builder() {
        }

        public Builder clock(Clock value) {
            this.clock = requireNonNull(value, "clock");
            return this;
        }

        /** See {@link SyncEngine#SyncEngine(Clock, Duration)}. */
        public Builder preflightValidity(Duration value) {
            requireNonNull(value, "preflightValidity");
            if (value.isNegative()) {
                throw new IllegalArgumentException("preflightValidity may not be negative: " + value);
            }
            this.preflightValidity = value;
            return this;
        }

        /** See {@link SyncEngine#SyncEngine(Clock, Duration, int)}. */
        public Builder preparingThreads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("preparingThreads must be 1 or more, was " + value);
            }
            this.preparingThreads = value;
            return this;
        }

        /** The name runs hold leases under (shown to whoever finds a job running); a random one by default. */
        public Builder owner(String value) {
            this.owner = requireNonNull(value, "owner");
            return this;
        }

        /**
         * How long a run's lease lasts without renewal (2 minutes by default): how soon a dead server's
         * job is taken over. Renewals happen every third of it, so a pause (a long garbage collection,
         * a slow store) shorter than two thirds of it never loses a lease.
         */
        public Builder leaseDuration(Duration value) {
            requireNonNull(value, "leaseDuration");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("leaseDuration must be positive: " + value);
            }
            this.leaseDuration = value;
            return this;
        }

        /**
         * The executor that renews leases while runs go on (by default one daemon thread of the
         * engine's). An executor the application shuts down leaves renewals to the checkpoints.
         */
        public Builder leaseRenewals(ScheduledExecutorService value) {
            this.renewals = requireNonNull(value, "leaseRenewals");
            return this;
        }

        public SyncEngine build() {
            return new SyncEngine(this);
        }
    }
}
