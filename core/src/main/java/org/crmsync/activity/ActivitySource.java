package org.crmsync.activity;

import java.util.List;

/**
 * Where an activity sync reads the application's activities: each activity once, in the order they
 * were added, by an increasing sequence. The application implements it over its own tables (a calls
 * table with an id column serves); {@link InMemoryActivitySource} and {@link FileActivitySource} serve
 * tests and tools. Implementations are called from one thread at a time.
 */
public interface ActivitySource {
    /**
     * Up to {@code limit} activities whose sequence is greater than {@code afterSequence}, in increasing
     * sequence; fewer (or none) when there are no more.
     */
    List<Activity> since(long afterSequence, int limit);

    /** The sequence of the last activity added, 0 when there is none. */
    long lastSequence();
}
