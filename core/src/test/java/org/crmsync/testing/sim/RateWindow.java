package org.crmsync.testing.sim;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A CRM's requests-per-second limit on the simulator's clock: a request is admitted when fewer than
 * the limit were admitted in the second before it, as a sliding window, so a client spaced just under
 * the limit is never refused and a burst is. Zero switches the limit off.
 */
public final class RateWindow {
    private final Clock clock;
    private final Deque<Instant> window = new ArrayDeque<>();
    private int perSecond;
    private int refused;

    public RateWindow(Clock clock, int perSecond) {
        this.clock = clock;
        this.perSecond = perSecond;
    }

    public synchronized void perSecond(int value) {
        this.perSecond = value;
    }

    /** Whether a request arriving now is within the limit (and counts it); a refusal is counted too. */
    public synchronized boolean admit() {
        if (perSecond <= 0) {
            return true;
        }
        Instant now = clock.instant();
        while (!window.isEmpty() && !window.peekFirst().isAfter(now.minusSeconds(1))) {
            window.pollFirst();
        }
        if (window.size() >= perSecond) {
            refused++;
            return false;
        }
        window.addLast(now);
        return true;
    }

    /** Requests refused so far. */
    public synchronized int refused() {
        return refused;
    }

    public synchronized void resetCount() {
        refused = 0;
    }
}
