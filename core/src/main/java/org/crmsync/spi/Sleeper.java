package org.crmsync.spi;

import java.time.Duration;

/**
 * Waits. Everything in crmsync that waits (retry backoff, rate limiting) goes through a sleeper so
 * that tests can record the waits instead of spending them on the wall clock.
 */
@FunctionalInterface
public interface Sleeper {
    /** Sleeps with {@link Thread#sleep(long)}. */
    Sleeper SYSTEM = duration -> Thread.sleep(duration.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
