package org.crmsync.http;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Thrown by the {@link RetryInterceptor} when one more attempt of a call would pass its deadline
 * ({@link HttpSettings#CALL_DEADLINE}). The cause is the last attempt's {@code IOException}, if it
 * failed with one; else {@link #lastStatus()} is the status it was answered with. {@link
 * ConnectionFailure} turns it into the connector's message.
 */
final class DeadlineExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int attempts;
    private final Duration deadline;
    private final Duration elapsed;
    private final int lastStatus;
    private final long retryAfterMillis;

    DeadlineExceededException(String call, int attempts, Duration deadline, Duration elapsed, int lastStatus,
            Optional<Duration> retryAfter, IOException lastFailure) {
        super(call + " gave up after " + attempts + (attempts == 1 ? " attempt" : " attempts") + " in "
                + HttpSettings.format(elapsed) + ": one more would pass the call deadline of "
                + HttpSettings.format(deadline) + " (" + HttpSettings.CALL_DEADLINE + ")", lastFailure);
        this.attempts = attempts;
        this.deadline = deadline;
        this.elapsed = elapsed;
        this.lastStatus = lastStatus;
        this.retryAfterMillis = retryAfter.map(Duration::toMillis).orElse(-1L);
    }

    int attempts() {
        return attempts;
    }

    Duration deadline() {
        return deadline;
    }

    Duration elapsed() {
        return elapsed;
    }

    /** The status the last attempt was answered with; empty when it failed without an answer. */
    OptionalInt lastStatus() {
        return lastStatus < 0 ? OptionalInt.empty() : OptionalInt.of(lastStatus);
    }

    /** The {@code Retry-After} of the last answer, when waiting it out would have passed the deadline. */
    Optional<Duration> retryAfter() {
        return retryAfterMillis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(retryAfterMillis));
    }

    /** The last attempt's failure, when it had no answer. */
    Optional<IOException> lastFailure() {
        return getCause() instanceof IOException e ? Optional.of(e) : Optional.empty();
    }
}
