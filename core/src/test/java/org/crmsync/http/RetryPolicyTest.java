package org.crmsync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    /** A generator whose nextDouble() is always {@code value}. */
    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    @Test
    void defaultsAreFourAttemptsHalfSecondDoublingToThirtySecondsAndTwoMinuteRetryAfterCap() {
        RetryPolicy p = RetryPolicy.defaults();

        assertThat(p.maxAttempts()).isEqualTo(4);
        assertThat(p.initialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.maxBackoff()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.multiplier()).isEqualTo(2.0);
        assertThat(p.jitter()).isTrue();
        assertThat(p.maxRetryAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    }

    @Test
    void backoffGrowsExponentiallyAndIsCappedWithoutJitter() {
        RetryPolicy p = RetryPolicy.builder()
                .initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofSeconds(1))
                .jitter(false)
                .build();

        assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(p.backoff(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(p.backoff(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.backoff(10_000)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void fullJitterScalesTheComputedBackoffByTheRandomFraction() {
        RetryPolicy p = RetryPolicy.builder()
                .initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofSeconds(1))
                .random(fixed(0.5))
                .build();

        assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(50));
        assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.backoff(8)).isEqualTo(Duration.ofMillis(500));
        assertThat(p.toBuilder().random(fixed(0.0)).build().backoff(3)).isEqualTo(Duration.ZERO);
    }

    @Test
    void jitteredBackoffStaysBetweenZeroAndTheCappedExponentialValue() {
        RetryPolicy p = RetryPolicy.builder()
                .initialBackoff(Duration.ofMillis(500))
                .maxBackoff(Duration.ofSeconds(30))
                .random(new SplittableRandom(42))
                .build();
        RetryPolicy exact = p.toBuilder().jitter(false).build();

        for (int attempt = 1; attempt <= 20; attempt++) {
            for (int i = 0; i < 50; i++) {
                assertThat(p.backoff(attempt)).isBetween(Duration.ZERO, exact.backoff(attempt));
            }
        }
        assertThat(exact.backoff(20)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void buildRejectsInvalidValuesNamingEachOfThem() {
        assertThatThrownBy(() -> RetryPolicy.builder()
                        .maxAttempts(0)
                        .initialBackoff(Duration.ofSeconds(5))
                        .maxBackoff(Duration.ofSeconds(1))
                        .multiplier(0.5)
                        .maxRetryAfter(Duration.ofSeconds(-1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAttempts")
                .hasMessageContaining("maxBackoff")
                .hasMessageContaining("multiplier")
                .hasMessageContaining("maxRetryAfter");
    }

    @Test
    void backoffRejectsAttemptNumbersBelowOne() {
        assertThatThrownBy(() -> RetryPolicy.defaults().backoff(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
