package org.crmsync.activity;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** An {@link ActivitySource} in memory, for tests and examples. Thread-safe. */
public final class InMemoryActivitySource implements ActivitySource {
    private final List<Activity> activities = new ArrayList<>();
    private final Set<String> keys = new HashSet<>();

    /**
     * Adds an activity at the next sequence and returns it there.
     *
     * @throws IllegalArgumentException if an activity with the same key was added before: a key names one
     *     activity
     */
    public synchronized Activity add(Activity activity) {
        requireNonNull(activity, "activity");
        if (!keys.add(activity.key())) {
            throw new IllegalArgumentException("an activity with key " + activity.key() + " was already added");
        }
        Activity placed = activity.atSequence(activities.size() + 1L);
        activities.add(placed);
        return placed;
    }

    @Override
    public synchronized List<Activity> since(long afterSequence, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        int from = (int) Math.max(0, Math.min(afterSequence, activities.size()));
        return List.copyOf(activities.subList(from, Math.min(activities.size(), from + limit)));
    }

    @Override
    public synchronized long lastSequence() {
        return activities.size();
    }
}
