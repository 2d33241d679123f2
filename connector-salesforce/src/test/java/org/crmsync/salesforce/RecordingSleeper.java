package org.crmsync.salesforce;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.crmsync.spi.Sleeper;
import org.crmsync.testing.MutableClock;

/** Records waits instead of spending them, and moves the test clock on by as much. */
final class RecordingSleeper implements Sleeper {
    private final MutableClock clock;
    private final List<Duration> sleeps = new ArrayList<>();

    RecordingSleeper(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void sleep(Duration duration) {
        sleeps.add(duration);
        clock.advance(duration);
    }

    synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }
}
