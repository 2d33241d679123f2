package org.crmsync.quartz;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.crmsync.schedule.Schedule;
import org.junit.jupiter.api.Test;
import org.quartz.JobKey;
import org.quartz.Trigger;
import org.quartz.spi.OperableTrigger;

/** The Quartz triggers of each kind of schedule fire exactly when the schedule says, for a year and more. */
class QuartzTriggersTest {
    private static final ZoneId CHICAGO = ZoneId.of("America/Chicago");
    private static final Instant NOW = Instant.parse("2026-01-10T15:04:05Z");

    @Test
    void nightlyRunsFireAtTheScheduleTimesAcrossClockChanges() {
        assertSameTimes(Schedule.nightly(LocalTime.of(1, 30), CHICAGO), 800);
        assertSameTimes(Schedule.nightly(LocalTime.of(23, 0), ZoneId.of("UTC")), 400);
    }

    @Test
    void everyFiveMinutesDuringTheDayIsOneCron() {
        Schedule outbound = Schedule.every(Duration.ofMinutes(5), LocalTime.of(8, 0), LocalTime.of(20, 0), CHICAGO);
        assertThat(QuartzTriggers.windowCrons(outbound)).containsExactly("0 0/5 8-19 * * ?");
        assertThat(QuartzTriggers.windowCrons(Schedule.every(Duration.ofSeconds(4), LocalTime.MIDNIGHT,
                LocalTime.of(23, 59, 59), CHICAGO))).containsExactly("0/4 * * * * ?");
        assertSameTimes(outbound, 5_000);
    }

    @Test
    void windowsThatDoNotFitTheHourFireAtTheScheduleTimes() {
        assertSameTimes(Schedule.every(Duration.ofMinutes(7), LocalTime.of(8, 10), LocalTime.of(17, 45), CHICAGO), 3_000);
        assertSameTimes(Schedule.every(Duration.ofSeconds(90), LocalTime.of(6, 0, 30), LocalTime.of(6, 30), CHICAGO), 500);
        // (A window spanning the night's clock change is left out: there the schedule steps by elapsed
        // time and cron by local time, an hour apart after the change on those two days.)
        assertSameTimes(Schedule.every(Duration.ofHours(5), LocalTime.of(3, 0), LocalTime.of(23, 0), CHICAGO), 500);
    }

    @Test
    void hourlyDailyWeeklyAndMonthlyWithStartAndEndFireAtTheScheduleTimes() {
        LocalDateTime start = LocalDateTime.of(2026, 2, 1, 9, 15, 20);
        assertSameTimes(Schedule.hourly(start, ZoneId.of("UTC")), 3_000);
        assertSameTimes(Schedule.daily(start, CHICAGO), 600);
        assertSameTimes(Schedule.weekly(start, CHICAGO), 200);
        assertSameTimes(Schedule.weekly(start.plusDays(6), CHICAGO).endingAt(start.plusDays(100)), 200);
        for (int day : new int[] {1, 28, 29, 30, 31}) {
            assertSameTimes(Schedule.monthly(LocalDateTime.of(2026, 1, day, 4, 0), CHICAGO), 60);
        }
        assertSameTimes(Schedule.daily(start, CHICAGO).endingAt(start.plusDays(10)), 100);
    }

    @Test
    void cronFieldsAreShort() {
        assertThat(QuartzTriggers.field(java.util.Set.of(10, 20, 30), 59)).isEqualTo("10-30/10");
        assertThat(QuartzTriggers.field(java.util.Set.of(3, 4, 5), 23)).isEqualTo("3-5");
        assertThat(QuartzTriggers.field(java.util.Set.of(2, 7, 9), 59)).isEqualTo("2,7,9");
    }

    @Test
    void aScheduleThatHasEndedHasNoTrigger() {
        Schedule ended = Schedule.daily(LocalDateTime.of(2020, 1, 1, 2, 0), CHICAGO)
                .endingAt(LocalDateTime.of(2020, 2, 1, 2, 0));
        assertThat(QuartzTriggers.of(ended, JobKey.jobKey("t"), NOW)).isEmpty();
    }

    /** The first n times of the triggers (merged) equal the schedule's first n times after now. */
    private static void assertSameTimes(Schedule schedule, int n) {
        List<Instant> expected = schedule.upcoming(NOW, n);
        List<Instant> fired = new ArrayList<>();
        for (Trigger t : QuartzTriggers.of(schedule, JobKey.jobKey("t", "g"), NOW)) {
            OperableTrigger trigger = (OperableTrigger) t;
            Date next = trigger.computeFirstFireTime(null);
            while (next != null && fired.size() < 10 * n + 10) {
                fired.add(next.toInstant());
                next = trigger.getFireTimeAfter(next);
                if (next != null && next.toInstant().isAfter(expected.get(expected.size() - 1))) {
                    break;
                }
            }
        }
        fired.sort(null);
        assertThat(fired.subList(0, Math.min(fired.size(), expected.size()))).as(schedule.toString())
                .isEqualTo(expected);
        assertThat(fired.stream().filter(t -> !t.isAfter(expected.get(expected.size() - 1))).count())
                .isEqualTo(expected.size());
    }
}
