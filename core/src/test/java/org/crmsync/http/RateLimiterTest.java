package org.crmsync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final MutableClock clock = MutableClock.at("2024-05-01T10:00:00Z");
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);

    @Test
    void spacesCallsAtTheConfiguredRateOnceTheBurstIsUsed() throws InterruptedException {
        RateLimiter limiter = RateLimiter.create(2.0, 1, clock, sleeper);

        for (int i = 0; i < 4; i++) {
            limiter.acquire();
        }

        assertThat(sleeper.sleeps()).containsExactly(
                Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500));
    }

    @Test
    void letsABurstThroughWithoutWaiting() throws InterruptedException {
        RateLimiter limiter = RateLimiter.create(10.0, 3, clock, sleeper);

        for (int i = 0; i < 3; i++) {
            limiter.acquire();
        }
        assertThat(sleeper.sleeps()).isEmpty();

        limiter.acquire();
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void refillsWhileIdleButNeverBeyondTheBurst() throws InterruptedException {
        RateLimiter limiter = RateLimiter.create(1.0, 2, clock, sleeper);
        limiter.acquire();
        limiter.acquire();

        clock.advance(Duration.ofHours(1));
        limiter.acquire();
        limiter.acquire();
        assertThat(sleeper.sleeps()).isEmpty();

        limiter.acquire();
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void callersThatArriveTogetherReserveSuccessivePermits() {
        // The clock does not move: each reservation waits one interval longer than the last.
        RateLimiter limiter = RateLimiter.create(4.0, 1, Clock.fixed(clock.instant(), clock.getZone()), sleeper);

        assertThat(limiter.reserve()).isEqualTo(Duration.ZERO);
        assertThat(limiter.reserve()).isEqualTo(Duration.ofMillis(250));
        assertThat(limiter.reserve()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void rejectsANonPositiveRateOrBurst() {
        assertThatThrownBy(() -> RateLimiter.create(0, 1, clock, sleeper))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permitsPerSecond");
        assertThatThrownBy(() -> RateLimiter.create(1, 0, clock, sleeper))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("burst");
    }
}
