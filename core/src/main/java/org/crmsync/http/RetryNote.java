package org.crmsync.http;

import java.time.Duration;
import java.util.Optional;

/**
 * What the {@link RetryInterceptor} did before it handed back an unsuccessful answer: how many
 * attempts were made, and whether it refused to wait out a {@code Retry-After} longer than its cap.
 * Attached as a tag to the answer's request, so {@link HttpErrors} can say it.
 */
record RetryNote(int attempts, int maxAttempts, Optional<Duration> refusedRetryAfter, Duration maxRetryAfter) {
}
