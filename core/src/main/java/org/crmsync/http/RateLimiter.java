package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.crmsync.spi.Sleeper;

/**
 * A client-side rate limiter: up to {@code burst} calls at once, then {@code permitsPerSecond} on
 * average, so that no window of {@code t} seconds ever holds more than {@code burst + t *
 * permitsPerSecond} permits. Thread-safe; one limiter may be shared by every client that talks to the
 * same CRM account.
 *
 * <p>How it keeps a CRM's limit without refusals:
 * <ul>
 *   <li>A permit is counted when it is granted, which is when the request leaves, not when its answer
 *       comes back: the CRM counts requests as they arrive, however long each takes to answer.
 *   <li>Callers that find no permit free reserve the next one in turn and wait for it through the
 *       {@link Sleeper}, so concurrent callers are spaced out rather than released together.
 *   <li>Waits are rounded up to whole milliseconds, never truncated: {@link Sleeper#SYSTEM} sleeps whole
 *       milliseconds, so a wait of 222.2 ms must become 223, not 222, or the request leaves early. The
 *       next permit is counted from the rounded time, so rounding never adds up to an early request.
 *   <li>{@link #belowDeclared} keeps {@link #SAFETY_MARGIN} under the CRM's declared rate: requests
 *       spaced at exactly the declared rate reach the CRM at the rate only if nothing between here and
 *       its counter (the connection pool, the network, its own clock) ever delays one more than the
 *       next, so a window that closes exactly one interval late refuses one.
 *   <li>{@link #pause} (after a 429 with {@code Retry-After}) holds back every caller that shares the
 *       limiter until then, not only the one that was refused, and lets them go one interval apart
 *       afterwards, without a burst.
 * </ul>
 *
 * <p>The schedule is a virtual clock (the generic cell rate algorithm): {@code next} is when the next
 * permit would be due with no burst; a caller may go {@code (burst - 1)} intervals ahead of it.
 */
public final class RateLimiter {
    /** How far under a CRM's declared rate {@link #belowDeclared} stays: 10%. */
    public static final double SAFETY_MARGIN = 0.10;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final double NANOS_PER_SECOND = 1_000_000_000.0;

    private final double permitsPerSecond;
    private final int burst;
    private final Clock clock;
    private final Sleeper sleeper;
    private final long intervalNanos;
    private final long toleranceNanos;

    /** When the next permit is due with no burst, in nanoseconds of the clock; guarded by this. */
    private long next;

    private RateLimiter(double permitsPerSecond, int burst, Clock clock, Sleeper sleeper) {
        this.permitsPerSecond = permitsPerSecond;
        this.burst = burst;
        this.clock = clock;
        this.sleeper = sleeper;
        this.intervalNanos = (long) Math.ceil(NANOS_PER_SECOND / permitsPerSecond);
        this.toleranceNanos = (burst - 1) * intervalNanos;
        this.next = nanos(clock.instant());
    }

    /**
     * A limiter at exactly {@code permitsPerSecond}.
     *
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

    /**
     * A limiter for a CRM that declares {@code declaredPerSecond} requests per second: {@link
     * #SAFETY_MARGIN} under it, one at a time (a burst of 1), so no second ever holds more than the
     * declared rate even when requests reach the CRM a little unevenly.
     */
    public static RateLimiter belowDeclared(double declaredPerSecond, Clock clock, Sleeper sleeper) {
        if (!(declaredPerSecond > 0) || Double.isInfinite(declaredPerSecond)) {
            throw new IllegalArgumentException("the declared rate must be a finite number above 0, was "
                    + declaredPerSecond);
        }
        return create(declaredPerSecond * (1 - SAFETY_MARGIN), 1, clock, sleeper);
    }

    public double permitsPerSecond() {
        return permitsPerSecond;
    }

    public int burst() {
        return burst;
    }

    /** Takes one permit, waiting through the sleeper until it is due. */
    public void acquire() throws InterruptedException {
        Duration wait = reserve();
        if (!wait.isZero()) {
            sleeper.sleep(wait);
        }
    }

    /**
     * Takes one permit now, possibly ahead of its time, and says how long to wait before using it: a
     * whole number of milliseconds, rounded up.
     */
    synchronized Duration reserve() {
        long now = nanos(clock.instant());
        long due = Math.max(now, next - toleranceNanos);
        long wait = roundUpToMillis(due - now);
        long granted = now + wait;
        next = Math.max(next, granted) + intervalNanos;
        return Duration.ofNanos(wait);
    }

    /**
     * No permit is granted before {@code duration} from now (a CRM's {@code Retry-After}), to any caller
     * of this limiter; afterwards they go one interval apart. A pause that ends sooner than one already
     * under way changes nothing.
     */
    public synchronized void pause(Duration duration) {
        requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            return;
        }
        long until = nanos(clock.instant()) + duration.toNanos();
        next = Math.max(next, until + toleranceNanos);
    }

    private static long roundUpToMillis(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        return (nanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI * NANOS_PER_MILLI;
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    @Override
    public String toString() {
        return "RateLimiter[permitsPerSecond=" + permitsPerSecond + ", burst=" + burst + "]";
    }
}
