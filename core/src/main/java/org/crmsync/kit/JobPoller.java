package org.crmsync.kit;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.spi.Sleeper;

/**
 * Waits for a job a CRM runs on its own (an import, an export, an upload) to end: polls its status,
 * waiting between polls through the connector's {@link Sleeper} (so tests never wait on the wall
 * clock), each wait longer than the last up to a cap, until the status says the job ended or a
 * deadline on the injected {@link Clock} passes. Each poll is one call of the caller's, so the run's
 * meter counts it like any other. For a job that takes longer than a run should wait (an export of a
 * whole database), {@link #checkOnce} looks once and says when to look again, for a
 * {@code ChangeFeed.notReady} answer. Immutable and thread-safe; one per kind of job.
 *
 * @param <S> the job's status as the CRM answers it
 */
public final class JobPoller<S> {
    /** Where a job stands, as the connector reads its status. */
    public enum State {
        RUNNING,
        /** Ended and its outcome can be read (completed, possibly with per-record failures). */
        DONE,
        /** Ended without an outcome to read (failed, cancelled, interrupted). */
        FAILED
    }

    /** What waiting came to: one type per ending. */
    public sealed interface Outcome<S> permits Done, Failed, StillRunning {
        /** The last status read. */
        S status();

        /** Polls made. */
        int polls();
    }

    public record Done<S>(S status, int polls) implements Outcome<S> {
    }

    public record Failed<S>(S status, int polls) implements Outcome<S> {
    }

    /** The deadline passed with the job still running. */
    public record StillRunning<S>(S status, int polls, Duration waited) implements Outcome<S> {
    }

    private final String what;
    private final Function<S, State> state;
    private final Duration firstWait;
    private final Duration maxWait;
    private final Duration deadline;
    private final Clock clock;
    private final Sleeper sleeper;

    private JobPoller(Builder<S> b) {
        this.what = b.what;
        this.state = b.state;
        this.firstWait = b.firstWait;
        this.maxWait = b.maxWait;
        this.deadline = b.deadline;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
    }

    /**
     * @param what the kind of job, for messages ("ActiveCampaign import")
     * @param state reads a status: running, done or failed
     */
    public static <S> Builder<S> builder(String what, Function<S, State> state) {
        return new Builder<>(what, state);
    }

    /**
     * Polls until the job ends or the deadline passes: waits {@code firstWait}, polls, and doubles the
     * wait up to {@code maxWait}; the last poll falls on the deadline, not a wait past it.
     *
     * @param poll reads the job's status once (one API call)
     */
    public Outcome<S> await(Supplier<S> poll) {
        return await(poll, clock.instant());
    }

    /**
     * As {@link #await(Supplier)} for a job that was started at {@code started} (and has run since, while
     * the caller did other things): the first poll {@code firstWait} after it, or at once if that has
     * passed, and the deadline counted from it.
     */
    public Outcome<S> await(Supplier<S> poll, Instant started) {
        requireNonNull(poll, "poll");
        requireNonNull(started, "started");
        Instant start = started;
        Instant end = start.plus(deadline);
        Duration wait = firstWait;
        Instant due = start.plus(firstWait);
        int polls = 0;
        while (true) {
            Instant now = clock.instant();
            Instant until = due.isBefore(end) ? due : end;
            sleep(until.isAfter(now) ? Duration.between(now, until) : Duration.ZERO);
            S status = requireNonNull(poll.get(), "status");
            polls++;
            switch (requireNonNull(state.apply(status), "state")) {
                case DONE:
                    return new Done<>(status, polls);
                case FAILED:
                    return new Failed<>(status, polls);
                default:
                    break;
            }
            if (!clock.instant().isBefore(end)) {
                return new StillRunning<>(status, polls, Duration.between(start, clock.instant()));
            }
            Duration doubled = wait.multipliedBy(2);
            wait = doubled.compareTo(maxWait) > 0 ? maxWait : doubled;
            due = clock.instant().plus(wait);
        }
    }

    /**
     * Looks once, without waiting: the outcome when the job ended, else {@link StillRunning} whose
     * {@code waited} is how long to wait before looking again ({@code firstWait}).
     */
    public Outcome<S> checkOnce(Supplier<S> poll) {
        S status = requireNonNull(poll.get(), "status");
        switch (requireNonNull(state.apply(status), "state")) {
            case DONE:
                return new Done<>(status, 1);
            case FAILED:
                return new Failed<>(status, 1);
            default:
                return new StillRunning<>(status, 1, firstWait);
        }
    }

    /** Sleeps {@code d} rounded up to whole milliseconds: {@link Sleeper#SYSTEM} truncates, which would poll early. */
    private void sleep(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        long millis = d.toMillis() + (d.minusMillis(d.toMillis()).isZero() ? 0 : 1);
        try {
            sleeper.sleep(Duration.ofMillis(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrmSyncException(ErrorCode.INTERNAL, "interrupted while waiting for a " + what, e);
        }
    }

    /** Builds a {@link JobPoller}; {@link #build()} names every bad setting. */
    public static final class Builder<S> {
        private final String what;
        private final Function<S, State> state;
        private Duration firstWait = Duration.ofSeconds(2);
        private Duration maxWait = Duration.ofSeconds(30);
        private Duration deadline = Duration.ofMinutes(10);
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;

        private Builder(String what, Function<S, State> state) {
            this.what = requireNonNull(what, "what");
            this.state = requireNonNull(state, "state");
        }

        /** The wait before the first poll; each further wait doubles. Default 2 s. */
        public Builder<S> firstWait(Duration value) {
            this.firstWait = requireNonNull(value, "firstWait");
            return this;
        }

        /** The longest wait between polls (not less than the first). Default 30 s. */
        public Builder<S> maxWait(Duration value) {
            this.maxWait = requireNonNull(value, "maxWait");
            return this;
        }

        /** How long to wait in all before giving up with {@link StillRunning}. Default 10 minutes. */
        public Builder<S> deadline(Duration value) {
            this.deadline = requireNonNull(value, "deadline");
            return this;
        }

        public Builder<S> clock(Clock value) {
            this.clock = requireNonNull(value, "clock");
            return this;
        }

        public Builder<S> sleeper(Sleeper value) {
            this.sleeper = requireNonNull(value, "sleeper");
            return this;
        }

        public JobPoller<S> build() {
            StringBuilder problems = new StringBuilder();
            if (firstWait.isNegative()) {
                problems.append("; firstWait may not be negative");
            }
            if (deadline.isNegative()) {
                problems.append("; deadline may not be negative");
            }
            if (maxWait.isNegative() || maxWait.isZero()) {
                problems.append("; maxWait must be positive");
            }
            if (problems.length() > 0) {
                throw new IllegalArgumentException(what + " poller: " + problems.substring(2));
            }
            if (maxWait.compareTo(firstWait) < 0) {
                maxWait = firstWait;
            }
            return new JobPoller<>(this);
        }
    }
}
