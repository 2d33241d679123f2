package org.crmsync.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.crmsync.spi.Sleeper;

/** Records every wait instead of spending it, and moves the test clock on by as much. */
public final class RecordingSleeper implements Sleeper {
    private final MutableClock clock;
    private final List<Duration> sleeps = new ArrayList<>();

    public RecordingSleeper(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void sleep(Duration duration) {
        sleeps.add(duration);
        clock.advance(duration);
    }

    public synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    public synchronized Duration total() {
        return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
