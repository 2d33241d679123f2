package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.time.Clock;

/**
 * What a provider hands to the connector it creates: the clock, the sleeper used for backoff and rate
 * limiting, and whether plain HTTP is allowed (only tests against a local simulator ask for it;
 * HTTPS is the default).
 */
public record ConnectorContext(Clock clock, Sleeper sleeper, boolean allowPlainHttp) {
    public ConnectorContext {
        requireNonNull(clock, "clock");
        requireNonNull(sleeper, "sleeper");
    }

    /** The system UTC clock, real sleeping, HTTPS only. */
    public static ConnectorContext defaults() {
        return new ConnectorContext(Clock.systemUTC(), Sleeper.SYSTEM, false);
    }

    /**
     * For tests and demos against a CRM simulator on this machine (the connectors' test-jars): plain
     * HTTP allowed, on the given clock and sleeper. Tests pass a clock they move and a sleeper that
     * moves it instead of waiting, so no test sleeps on the wall clock. Never for a real CRM.
     */
    public static ConnectorContext forLocalSimulator(Clock clock, Sleeper sleeper) {
        return new ConnectorContext(clock, sleeper, true);
    }
}
