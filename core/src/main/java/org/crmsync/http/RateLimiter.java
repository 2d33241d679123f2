package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.crmsync.spi.Sleeper;

/**
 * A client-side token bucket: up to {@code burst} calls at once, then {@code permitsPerSecond} on
 * average. Callers that find the bucket empty reserve the next token and wait for it through the
 * {@link Sleeper}, so concurrent callers are spaced out rather than released together. Thread-safe.
 *
 * <p>One limiter may be shared by several clients that talk to the same CRM account.
 */
public final class RateLimiter {
    private static final double NANOS_PER_SECOND = 1_000_000_000.0;

    private final double permitsPerSecond;
    private final int burst;
    private final Clock clock;
    private final Sleeper sleeper;

    private double tokens;
    private long lastNanos;

    private RateLimiter(double permitsPerSecond, int burst, Clock clock, Sleeper sleeper) {
        this.permitsPerSecond = permitsPerSecond;
        this.burst = burst;
        this.clock = clock;
        this.sleeper = sleeper;
        this.tokens = burst;
        this.lastNanos = nanos(clock.instant());
    }

    /**
     * @param permitsPerSecond the average rate, more than 0
     * @param burst how many calls may go at once after a quiet spell, 1 or more
     */
    public static RateLimiter create(double permitsPerSecond, int burst, Clock clock, Sleeper sleeper) {
        requireNonNull(clock, "clock");
        requireNonNull(sleeper, "sleeper");
        if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond)) {
            throw new IllegalArgumentException("permitsPerSecond must be a finite number above 0, was " + permitsPerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be 1 or more, was " + burst);
        }
        return new RateLimiter(permitsPerSecond, burst, clock, sleeper);
    }

    public double permitsPerSecond() {
        return permitsPerSecond;
    }

    public int burst() {
        return burst;
    }

    /** Takes one permit, waiting through the sleeper until it is available. */
    public void acquire() throws InterruptedException {
        Duration wait = reserve();
        if (!wait.isZero()) {
            sleeper.sleep(wait);
        }
    }

    /** Takes one permit now, possibly on credit, and says how long to wait before using it. */
    synchronized Duration reserve() {
        long now = nanos(clock.instant());
        long elapsed = now - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * permitsPerSecond / NANOS_PER_SECOND);
            lastNanos = now;
        }
        tokens -= 1;
        if (tokens >= 0) {
            return Duration.ZERO;
        }
        return Duration.ofNanos((long) Math.ceil(-tokens / permitsPerSecond * NANOS_PER_SECOND));
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    @Override
    public String toString() {
        return "RateLimiter[permitsPerSecond=" + permitsPerSecond + ", burst=" + burst + "]";
    }
}
