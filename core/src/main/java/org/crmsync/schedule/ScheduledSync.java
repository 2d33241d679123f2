package org.crmsync.schedule;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.crmsync.engine.SyncJob;
import org.crmsync.report.SyncReport;

/**
 * One scheduled task: jobs run one after the other on a schedule (for example the ActiveCampaign
 * seed's export, then import). Deactivating stops the schedule and keeps every job's state, so
 * activating it again carries on where it left off.
 */
public final class ScheduledSync {
    private final String name;
    private final Schedule schedule;
    private final Supplier<List<SyncJob>> jobs;
    private final SyncNotifier notifier;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean active = true;
    private volatile Instant nextRun;
    private volatile List<SyncReport> lastReports = List.of();

    ScheduledSync(String name, Schedule schedule, Supplier<List<SyncJob>> jobs, SyncNotifier notifier, Instant now) {
        this.name = name;
        this.schedule = schedule;
        this.jobs = jobs;
        this.notifier = notifier;
        this.nextRun = schedule.nextAfter(now.minusNanos(1)).orElse(null);
    }

    public String name() {
        return name;
    }

    public Schedule schedule() {
        return schedule;
    }

    /** When it runs next; empty when deactivated or when the schedule has ended. */
    public Optional<Instant> nextRun() {
        return active ? Optional.ofNullable(nextRun) : Optional.empty();
    }

    public boolean isActive() {
        return active;
    }

    /** Stops the schedule; a run in progress finishes. The jobs' cursors and retries are kept. */
    public void deactivate() {
        active = false;
    }

    /** Starts the schedule again from its next time after {@code now}. */
    void activate(Instant now) {
        nextRun = schedule.nextAfter(now).orElse(null);
        active = true;
    }

    /** The reports of the last run, one per job. */
    public List<SyncReport> lastReports() {
        return lastReports;
    }

    boolean due(Instant now) {
        Instant next = nextRun;
        return active && next != null && !next.isAfter(now);
    }

    boolean tryStart() {
        return running.compareAndSet(false, true);
    }

    void finished(List<SyncReport> reports, Instant now) {
        lastReports = List.copyOf(reports);
        // A run missed while the application was down is made up once, not once per missed time.
        nextRun = schedule.nextAfter(now).orElse(null);
        running.set(false);
    }

    List<SyncJob> jobs() {
        return jobs.get();
    }

    SyncNotifier notifier() {
        return notifier;
    }

    @Override
    public String toString() {
        return "ScheduledSync{" + name + ", " + schedule + (active ? "" : ", inactive") + "}";
    }
}
