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
        return admit(clock.instant());
    }

    /**
     * Whether a request that arrived at {@code at} is within the limit (and counts it). A simulator that
     * serves one request at a time stamps each when it arrived, before it waits for the others, so its
     * own queue does not bunch requests up; stamps may therefore come a little out of order.
     */
    public synchronized boolean admit(Instant at) {
        if (perSecond <= 0) {
            return true;
        }
        Instant latest = window.isEmpty() || window.peekLast().isBefore(at) ? at : window.peekLast();
        while (!window.isEmpty() && window.peekFirst().isBefore(latest.minusSeconds(2))) {
            window.pollFirst();
        }
        Instant from = at.minusSeconds(1);
        long inSecond = window.stream().filter(t -> !t.isBefore(from) && !t.isAfter(at)).count();
        if (inSecond >= perSecond) {
            refused++;
            return false;
        }
        insertInOrder(at);
        return true;
    }

    private void insertInOrder(Instant at) {
        if (window.isEmpty() || !window.peekLast().isAfter(at)) {
            window.addLast(at);
            return;
        }
        java.util.List<Instant> later = new java.util.ArrayList<>();
        while (!window.isEmpty() && window.peekLast().isAfter(at)) {
            later.add(0, window.pollLast());
        }
        window.addLast(at);
        window.addAll(later);
    }

    /** Requests refused so far. */
    public synchronized int refused() {
        return refused;
    }

    public synchronized void resetCount() {
        refused = 0;
    }
}
