package org.crmsync.quartz;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.crmsync.schedule.Schedule;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobKey;
import org.quartz.ScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.spi.OperableTrigger;

/**
 * The Quartz triggers of a {@link Schedule}, firing at the same instants as {@link Schedule#nextAfter}:
 *
 * <ul>
 *   <li>every N seconds during a daily window: cron triggers listing the window's times of day, one
 *       per second-of-minute and set of minutes, over the hours that share them (every five minutes
 *       from 08:00 to 20:00 is one: {@code 0 0,5,...,55 8-19}); Quartz's daily-time-interval trigger
 *       would be shorter but has no time zone;
 *   <li>hourly, daily, weekly: one cron trigger at the start's minute (of its hour, day, weekday);
 *   <li>monthly: on days 1 to 28 one cron trigger; on the 29th or 30th, one on that day in every month
 *       but February and one on February's last day; on the 31st, one on every month's last day (the
 *       schedule runs on the month's last day when the month is shorter, which cron cannot say in one
 *       expression).
 * </ul>
 *
 * Each starts at the schedule's first time after now and ends with the schedule. Misfires (a cluster
 * down past Quartz's misfire threshold) fire once and carry on, as the bundled scheduler makes up a
 * missed run once. On the two days a year the clocks change, cron keeps to local times of day: a run
 * whose local time is skipped does not fire (where {@link Schedule} runs it an hour later), and a window
 * spanning the change fires at its usual local times (where {@link Schedule} steps by elapsed time).
 */
final class QuartzTriggers {
    private QuartzTriggers() {
    }

    static List<Trigger> of(Schedule schedule, JobKey job, Instant now) {
        Optional<Instant> first = schedule.nextAfter(now);
        if (first.isEmpty()) {
            return List.of();
        }
        TimeZone zone = TimeZone.getTimeZone(schedule.start().getZone());
        List<ScheduleBuilder<?>> builders = new ArrayList<>();
        if (schedule.frequency().isEmpty()) {
            for (String cron : windowCrons(schedule)) {
                builders.add(CronScheduleBuilder.cronSchedule(cron).inTimeZone(zone)
                        .withMisfireHandlingInstructionFireAndProceed());
            }
        } else {
            ZonedDateTime start = schedule.start();
            String secondMinute = start.getSecond() + " " + start.getMinute() + " ";
            String hour = start.getHour() + " ";
            List<String> crons = new ArrayList<>();
            switch (schedule.frequency().get()) {
                case HOURLY:
                    crons.add(secondMinute + "* * * ?");
                    break;
                case DAILY:
                    crons.add(secondMinute + hour + "* * ?");
                    break;
                case WEEKLY:
                    crons.add(secondMinute + hour + "? * " + (start.getDayOfWeek().getValue() % 7 + 1));
                    break;
                default:
                    int day = start.getDayOfMonth();
                    if (day <= 28) {
                        crons.add(secondMinute + hour + day + " * ?");
                    } else if (day < 31) {
                        crons.add(secondMinute + hour + day + " 1,3-12 ?");
                        crons.add(secondMinute + hour + "L 2 ?");
                    } else {
                        crons.add(secondMinute + hour + "L * ?");
                    }
            }
            for (String cron : crons) {
                builders.add(CronScheduleBuilder.cronSchedule(cron).inTimeZone(zone)
                        .withMisfireHandlingInstructionFireAndProceed());
            }
        }
        return triggers(builders, schedule, job, first.get());
    }

    /** The window's times of day, grouped by second and minutes into cron expressions. */
    static List<String> windowCrons(Schedule schedule) {
        long interval = schedule.interval().orElseThrow().getSeconds();
        if (schedule.interval().get().getNano() != 0) {
            throw new IllegalArgumentException("Quartz triggers need an interval of whole seconds; got "
                    + schedule.interval().get());
        }
        int from = schedule.windowStart().orElseThrow().toSecondOfDay();
        int to = schedule.windowEnd().orElseThrow().toSecondOfDay();
        // hour -> second -> minutes
        Map<Integer, Map<Integer, Set<Integer>>> times = new TreeMap<>();
        for (long t = from; t < to; t += interval) {
            int sod = (int) t;
            times.computeIfAbsent(sod / 3600, h -> new TreeMap<>()).computeIfAbsent(sod % 60, x -> new TreeSet<>())
                    .add(sod % 3600 / 60);
        }
        // (second, minutes) -> hours, then (minutes, hours) -> seconds: a cron is the product of its fields.
        Map<List<String>, Set<Integer>> hoursOf = new LinkedHashMap<>();
        times.forEach((hour, bySecond) -> bySecond.forEach((second, minutes) -> hoursOf.computeIfAbsent(
                List.of(String.valueOf(second), list(minutes)), k -> new TreeSet<>()).add(hour)));
        Map<List<String>, Set<Integer>> secondsOf = new LinkedHashMap<>();
        hoursOf.forEach((secondMinutes, hours) -> secondsOf.computeIfAbsent(List.of(secondMinutes.get(1), list(hours)),
                k -> new TreeSet<>()).add(Integer.parseInt(secondMinutes.get(0))));
        List<String> crons = new ArrayList<>();
        secondsOf.forEach((minutesHours, seconds) -> {
            String cron = field(seconds, 59) + " " + field(parse(minutesHours.get(0)), 59) + " "
                    + field(parse(minutesHours.get(1)), 23) + " * * ?";
            // Quartz keeps a cron expression in a column of 120 characters.
            if (cron.length() > 120) {
                throw new IllegalArgumentException(schedule + " is too irregular for Quartz's cron triggers: " + cron);
            }
            crons.add(cron);
        });
        return crons;
    }

    private static String list(Set<Integer> values) {
        return new TreeSet<>(values).stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static Set<Integer> parse(String list) {
        Set<Integer> values = new TreeSet<>();
        for (String v : list.split(",")) {
            values.add(Integer.parseInt(v));
        }
        return values;
    }

    /** A cron field: {@code *}, {@code a/d} or {@code a-b/d} for an even step, {@code a-b}, else a list. */
    static String field(Set<Integer> values, int max) {
        List<Integer> v = new ArrayList<>(new TreeSet<>(values));
        if (v.size() == 1) {
            return String.valueOf(v.get(0));
        }
        int step = v.get(1) - v.get(0);
        for (int i = 2; i < v.size(); i++) {
            if (v.get(i) - v.get(i - 1) != step) {
                return list(values);
            }
        }
        int a = v.get(0);
        int b = v.get(v.size() - 1);
        if (step == 1) {
            return a == 0 && b == max ? "*" : a + "-" + b;
        }
        return b + step > max ? a + "/" + step : a + "-" + b + "/" + step;
    }

    private static List<Trigger> triggers(List<ScheduleBuilder<?>> builders, Schedule schedule, JobKey job,
            Instant first) {
        List<Trigger> triggers = new ArrayList<>();
        for (int i = 0; i < builders.size(); i++) {
            TriggerBuilder<?> b = TriggerBuilder.newTrigger().withIdentity(job.getName() + (i == 0 ? "" : "." + i),
                    job.getGroup()).forJob(job).withSchedule(builders.get(i)).startAt(Date.from(first));
            schedule.end().ifPresent(end -> b.endAt(Date.from(end.toInstant())));
            Trigger trigger = b.build();
            // A trigger of a window's times that all fall after the schedule's end would never fire (Quartz refuses it).
            if (((OperableTrigger) ((OperableTrigger) trigger).clone()).computeFirstFireTime(null) != null) {
                triggers.add(trigger);
            }
        }
        return triggers;
    }
}
