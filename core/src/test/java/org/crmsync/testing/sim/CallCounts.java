package org.crmsync.testing.sim;

import java.util.Map;
import java.util.TreeMap;

/** Requests a simulator received, by kind of call (a name the simulator gives, such as {@code GET /contacts}). */
public final class CallCounts {
    private final Map<String, Integer> counts = new TreeMap<>();

    public synchronized void count(String kind) {
        counts.merge(kind, 1, Integer::sum);
    }

    public synchronized int of(String kind) {
        return counts.getOrDefault(kind, 0);
    }

    public synchronized int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    public synchronized Map<String, Integer> all() {
        return new TreeMap<>(counts);
    }

    public synchronized void reset() {
        counts.clear();
    }
}
