package org.crmsync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    void belowTheDeclaredRateKeepsTheSafetyMarginAndRoundsEachWaitUp() throws InterruptedException {
        // 5 declared, 4.5 kept: one every 222.22... ms, which a sleeper of whole milliseconds must wait as 223.
        RateLimiter limiter = RateLimiter.belowDeclared(5, clock, sleeper);

        assertThat(limiter.permitsPerSecond()).isEqualTo(4.5);
        for (int i = 0; i < 3; i++) {
            limiter.acquire();
        }

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(223), Duration.ofMillis(223));
    }

    @Test
    void waitsAreWholeMillisecondsRoundedUpSoNoPermitIsEverGrantedEarly() throws InterruptedException {
        // A third of a second is 333.33 ms: truncated to 333 every permit would leave a little early and,
        // over a few, a second would hold one more than the rate.
        RateLimiter limiter = RateLimiter.create(3.0, 1, clock, sleeper);
        List<Instant> granted = new ArrayList<>();

        for (int i = 0; i < 30; i++) {
            limiter.acquire();
            granted.add(clock.instant());
        }

        assertThat(sleeper.sleeps()).allSatisfy(d -> assertThat(d.toNanos() % 1_000_000).isZero());
        for (int i = 1; i < granted.size(); i++) {
            assertThat(Duration.between(granted.get(i - 1), granted.get(i)))
                    .isGreaterThanOrEqualTo(Duration.ofNanos(333_333_334));
        }
        for (int i = 3; i < granted.size(); i++) {
            assertThat(Duration.between(granted.get(i - 3), granted.get(i))).isGreaterThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void aPermitCountsFromWhenItIsGrantedNotFromWhenItsAnswerCame() throws InterruptedException {
        RateLimiter limiter = RateLimiter.create(5.0, 1, clock, sleeper);

        limiter.acquire();
        clock.advance(Duration.ofMillis(150)); // the request took 150 ms to answer
        limiter.acquire();

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(50));
    }

    @Test
    void aPauseHoldsBackEveryCallerThenLetsThemGoOneIntervalApartWithoutABurst() {
        RateLimiter limiter = RateLimiter.create(10.0, 3, Clock.fixed(clock.instant(), clock.getZone()), sleeper);

        limiter.pause(Duration.ofSeconds(2)); // a 429 with Retry-After: 2 met by one caller

        assertThat(limiter.reserve()).isEqualTo(Duration.ofSeconds(2));
        assertThat(limiter.reserve()).isEqualTo(Duration.ofMillis(2100));
        assertThat(limiter.reserve()).isEqualTo(Duration.ofMillis(2200));
    }

    @Test
    void aShorterPauseThanTheScheduleAlreadyReservedChangesNothing() {
        RateLimiter limiter = RateLimiter.create(1.0, 1, Clock.fixed(clock.instant(), clock.getZone()), sleeper);
        limiter.reserve();
        limiter.reserve();
        limiter.reserve(); // the next permit is 3 s away

        limiter.pause(Duration.ofSeconds(1));

        assertThat(limiter.reserve()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void rejectsANonPositiveRateOrBurst() {
        assertThatThrownBy(() -> RateLimiter.belowDeclared(0, clock, sleeper))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declared rate");
        assertThatThrownBy(() -> RateLimiter.create(0, 1, clock, sleeper))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permitsPerSecond");
        assertThatThrownBy(() -> RateLimiter.create(1, 0, clock, sleeper))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("burst");
    }
}
