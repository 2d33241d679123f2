package org.crmsync.kit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;
import org.junit.jupiter.api.Test;

class JobPollerTest {
    private final MutableClock clock = MutableClock.at("2026-06-01T08:00:00Z");
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);

    private JobPoller<String> poller(Duration deadline) {
        return JobPoller.<String>builder("test job", s -> s.equals("done") ? JobPoller.State.DONE
                : s.equals("failed") ? JobPoller.State.FAILED : JobPoller.State.RUNNING)
                .firstWait(Duration.ofSeconds(2)).maxWait(Duration.ofSeconds(10)).deadline(deadline)
                .clock(clock).sleeper(sleeper).build();
    }

    private static java.util.function.Supplier<String> answers(String... statuses) {
        Deque<String> queue = new ArrayDeque<>(List.of(statuses));
        return () -> queue.size() > 1 ? queue.poll() : queue.peek();
    }

    @Test
    void pollsWithWaitsThatDoubleUpToTheCapUntilTheJobIsDone() {
        JobPoller.Outcome<String> outcome = poller(Duration.ofMinutes(10))
                .await(answers("queued", "running", "running", "running", "done"));

        assertThat(outcome).isEqualTo(new JobPoller.Done<>("done", 5));
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    @Test
    void aJobThatFailsEndsThePollingAtOnce() {
        assertThat(poller(Duration.ofMinutes(10)).await(answers("running", "failed")))
                .isEqualTo(new JobPoller.Failed<>("failed", 2));
    }

    @Test
    void theLastPollFallsOnTheDeadlineAndAJobStillRunningSaysSo() {
        JobPoller.Outcome<String> outcome = poller(Duration.ofSeconds(9)).await(answers("running"));

        assertThat(outcome).isInstanceOf(JobPoller.StillRunning.class);
        assertThat(outcome.polls()).isEqualTo(3);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(3));
        assertThat(((JobPoller.StillRunning<String>) outcome).waited()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void aJobStartedEarlierIsFirstPolledFirstWaitAfterItsStartAndItsDeadlineCountsFromThere() {
        java.time.Instant started = clock.instant();
        clock.advance(Duration.ofMillis(700)); // the caller started other jobs meanwhile

        JobPoller.Outcome<String> outcome = poller(Duration.ofSeconds(9)).await(answers("running"), started);

        assertThat(outcome.polls()).isEqualTo(3);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(1300), Duration.ofSeconds(4),
                Duration.ofSeconds(3));
        assertThat(((JobPoller.StillRunning<String>) outcome).waited()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void aJobWhoseFirstWaitHasPassedIsPolledAtOnce() {
        java.time.Instant started = clock.instant();
        clock.advance(Duration.ofSeconds(5));

        assertThat(poller(Duration.ofMinutes(10)).await(answers("done"), started))
                .isEqualTo(new JobPoller.Done<>("done", 1));
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void checkingOnceNeverWaitsAndSaysWhenToLookAgain() {
        JobPoller.Outcome<String> outcome = poller(Duration.ofMinutes(10)).checkOnce(answers("running"));

        assertThat(outcome).isEqualTo(new JobPoller.StillRunning<>("running", 1, Duration.ofSeconds(2)));
        assertThat(sleeper.sleeps()).isEmpty();
    }
}
