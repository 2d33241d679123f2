package org.crmsync.testing.sim;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A CRM's requests-per-second limit on the simulator's clock, kept strictly: a request is refused when
 * the limit were already admitted in the closed second before it ({@code [now - 1 s, now]}), so no
 * rolling one-second window ever holds more than the limit. A client spaced at exactly the limit (5 per
 * second, one every 200 ms) is refused: its sixth request falls exactly one second after the first.
 * Zero switches the limit off.
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
        while (!window.isEmpty() && window.peekFirst().isBefore(now.minusSeconds(1))) {
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
