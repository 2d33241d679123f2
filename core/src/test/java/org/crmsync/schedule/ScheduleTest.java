package org.crmsync.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void hourlyBeginsAtTheStartTimeAndThenRunsEveryHour() {
        Schedule s = Schedule.hourly(LocalDateTime.parse("2026-09-01T08:30"), UTC);

        assertThat(s.upcoming(Instant.parse("2026-08-31T00:00:00Z"), 3)).containsExactly(
                Instant.parse("2026-09-01T08:30:00Z"), Instant.parse("2026-09-01T09:30:00Z"),
                Instant.parse("2026-09-01T10:30:00Z"));
        assertThat(s.nextAfter(Instant.parse("2026-09-03T17:45:00Z"))).hasValue(Instant.parse("2026-09-03T18:30:00Z"));
    }

    @Test
    void dailyWeeklyAndMonthlyRunAtTheStartsTimeOfDay() {
        Instant after = Instant.parse("2026-09-10T12:00:00Z");

        assertThat(Schedule.daily(LocalDateTime.parse("2026-09-01T02:00"), UTC).nextAfter(after))
                .hasValue(Instant.parse("2026-09-11T02:00:00Z"));
        // 2026-09-01 is a Tuesday: weekly runs are on Tuesdays.
        assertThat(Schedule.weekly(LocalDateTime.parse("2026-09-01T02:00"), UTC).nextAfter(after))
                .hasValue(Instant.parse("2026-09-15T02:00:00Z"));
        assertThat(Schedule.monthly(LocalDateTime.parse("2026-09-01T02:00"), UTC).nextAfter(after))
                .hasValue(Instant.parse("2026-10-01T02:00:00Z"));
    }

    @Test
    void monthlyOnThe31stRunsOnTheLastDayOfShorterMonths() {
        Schedule s = Schedule.monthly(LocalDateTime.parse("2026-01-31T06:00"), UTC);

        assertThat(s.upcoming(Instant.parse("2026-01-31T07:00:00Z"), 3)).containsExactly(
                Instant.parse("2026-02-28T06:00:00Z"), Instant.parse("2026-03-31T06:00:00Z"),
                Instant.parse("2026-04-30T06:00:00Z"));
    }

    @Test
    void anEndDateStopsTheSchedule() {
        Schedule s = Schedule.daily(LocalDateTime.parse("2026-09-01T02:00"), UTC)
                .endingAt(LocalDateTime.parse("2026-09-03T00:00"));

        assertThat(s.upcoming(Instant.parse("2026-08-01T00:00:00Z"), 10)).hasSize(2);
        assertThat(s.nextAfter(Instant.parse("2026-09-02T03:00:00Z"))).isEmpty();
        assertThatThrownBy(() -> s.endingAt(LocalDateTime.parse("2026-08-01T00:00")))
                .hasMessageContaining("ends");
    }

    @Test
    void aNightlyRunStaysAtItsLocalTimeAcrossDaylightSavingTime() {
        Schedule s = Schedule.nightly(LocalTime.of(2, 30), NEW_YORK);

        // US clocks go back on 2026-11-01: 02:30 EDT is 06:30Z before, 02:30 EST is 07:30Z after.
        assertThat(s.nextAfter(Instant.parse("2026-10-31T12:00:00Z"))).hasValue(Instant.parse("2026-11-01T07:30:00Z"));
        assertThat(s.nextAfter(Instant.parse("2026-10-30T12:00:00Z"))).hasValue(Instant.parse("2026-10-31T06:30:00Z"));
    }

    @Test
    void everyFiveMinutesDuringTheDayWaitsOvernight() {
        Schedule s = Schedule.every(Duration.ofMinutes(5), LocalTime.of(8, 0), LocalTime.of(20, 0), UTC);

        assertThat(s.nextAfter(Instant.parse("2026-09-01T09:02:10Z"))).hasValue(Instant.parse("2026-09-01T09:05:00Z"));
        assertThat(s.nextAfter(Instant.parse("2026-09-01T09:05:00Z"))).hasValue(Instant.parse("2026-09-01T09:10:00Z"));
        assertThat(s.nextAfter(Instant.parse("2026-09-01T19:56:00Z"))).hasValue(Instant.parse("2026-09-02T08:00:00Z"));
        assertThat(s.nextAfter(Instant.parse("2026-09-01T03:00:00Z"))).hasValue(Instant.parse("2026-09-01T08:00:00Z"));
    }

    @Test
    void badWindowsAndIntervalsAreRefused() {
        assertThatThrownBy(() -> Schedule.every(Duration.ZERO, LocalTime.of(8, 0), LocalTime.of(20, 0), UTC))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Schedule.every(Duration.ofMinutes(5), LocalTime.of(20, 0), LocalTime.of(8, 0), UTC))
                .hasMessageContaining("window");
    }
}
