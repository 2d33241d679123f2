package org.crmsync.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests move by hand; never the wall clock, except a {@link #ticking()} one, which runs with
 * it (for a simulator serving a child JVM that lives on real time).
 */
public final class MutableClock extends Clock {
    private Instant now;
    private final Clock ticking;
    private Duration offset = Duration.ZERO;

    public MutableClock(Instant start) {
        this.now = start;
        this.ticking = null;
    }

    private MutableClock(Clock ticking) {
        this.ticking = ticking;
    }

    /** A clock that runs with the system clock, moved on by {@link #advance}. */
    public static MutableClock ticking() {
        return new MutableClock(Clock.systemUTC());
    }

    public static MutableClock at(String isoInstant) {
        return new MutableClock(Instant.parse(isoInstant));
    }

    public synchronized void advance(Duration d) {
        if (ticking != null) {
            offset = offset.plus(d);
        } else {
            now = now.plus(d);
        }
    }

    public synchronized void set(Instant instant) {
        if (ticking != null) {
            offset = Duration.between(ticking.instant(), instant);
        } else {
            now = instant;
        }
    }

    @Override
    public synchronized Instant instant() {
        return ticking != null ? ticking.instant().plus(offset) : now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
