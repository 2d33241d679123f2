package org.crmsync.schedule;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When a sync runs. Two kinds:
 *
 * <ul>
 *   <li>The ActiveCampaign seed's task scheduler: hourly, daily, weekly or monthly from a start date
 *       and time, with an optional end date and time ({@link #hourly}, {@link #daily}, {@link #weekly},
 *       {@link #monthly}). Hourly runs begin at the start time and then every hour; the others run at
 *       the start's time of day (weekly on its weekday, monthly on its day of month, or the month's last
 *       day when it is shorter).
 *   <li>The SMS platform seeds' cadences: inbound nightly ({@link #nightly}), outbound every five
 *       minutes during the day ({@link #every(Duration, LocalTime, LocalTime, ZoneId)}).
 * </ul>
 *
 * Times of day are read in the schedule's zone, so a daily run stays at 02:00 local time across
 * daylight-saving changes. Immutable.
 */
public final class Schedule {
    /** The seed's frequencies. */
    public enum Frequency {
        HOURLY, DAILY, WEEKLY, MONTHLY
    }

    private final Frequency frequency;
    private final Duration interval;
    private final LocalTime windowStart;
    private final LocalTime windowEnd;
    private final ZonedDateTime start;
    private final ZonedDateTime end;

    private Schedule(Frequency frequency, Duration interval, LocalTime windowStart, LocalTime windowEnd,
            ZonedDateTime start, ZonedDateTime end) {
        this.frequency = frequency;
        this.interval = interval;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.start = start;
        this.end = end;
        if (end != null && !end.isAfter(start)) {
            throw new IllegalArgumentException("schedule ends (" + end + ") before it starts (" + start + ")");
        }
    }

    public static Schedule hourly(LocalDateTime start, ZoneId zone) {
        return of(Frequency.HOURLY, start, zone);
    }

    public static Schedule daily(LocalDateTime start, ZoneId zone) {
        return of(Frequency.DAILY, start, zone);
    }

    public static Schedule weekly(LocalDateTime start, ZoneId zone) {
        return of(Frequency.WEEKLY, start, zone);
    }

    public static Schedule monthly(LocalDateTime start, ZoneId zone) {
        return of(Frequency.MONTHLY, start, zone);
    }

    /** Every day at {@code at} in {@code zone}, from today on (the seeds' nightly inbound sync). */
    public static Schedule nightly(LocalTime at, ZoneId zone) {
        requireNonNull(at, "at");
        return daily(LocalDate.of(2000, 1, 1).atTime(at), zone);
    }

    /**
     * Every {@code interval} from {@code from} until before {@code to}, each day, in {@code zone} (the
     * seeds' outbound sync "every five minutes during the day").
     */
    public static Schedule every(Duration interval, LocalTime from, LocalTime to, ZoneId zone) {
        requireNonNull(interval, "interval");
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(zone, "zone");
        if (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("interval must be between one second and one day, got " + interval);
        }
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("the daily window must end after it starts: " + from + " to " + to);
        }
        return new Schedule(null, interval, from, to, LocalDate.of(2000, 1, 1).atTime(from).atZone(zone), null);
    }

    private static Schedule of(Frequency frequency, LocalDateTime start, ZoneId zone) {
        requireNonNull(start, "start");
        requireNonNull(zone, "zone");
        return new Schedule(frequency, null, null, null, start.atZone(zone), null);
    }

    /** The same schedule, ending at {@code endAt} (no run after it). */
    public Schedule endingAt(LocalDateTime endAt) {
        requireNonNull(endAt, "endAt");
        return new Schedule(frequency, interval, windowStart, windowEnd, start, endAt.atZone(start.getZone()));
    }

    public Optional<Frequency> frequency() {
        return Optional.ofNullable(frequency);
    }

    public ZonedDateTime start() {
        return start;
    }

    /** How often a schedule of {@link #every} runs; empty for the frequencies. */
    public Optional<Duration> interval() {
        return Optional.ofNullable(interval);
    }

    /** The first time of day a schedule of {@link #every} runs; empty for the frequencies. */
    public Optional<LocalTime> windowStart() {
        return Optional.ofNullable(windowStart);
    }

    /** The time of day before which a schedule of {@link #every} last runs each day; empty for the frequencies. */
    public Optional<LocalTime> windowEnd() {
        return Optional.ofNullable(windowEnd);
    }

    public Optional<ZonedDateTime> end() {
        return Optional.ofNullable(end);
    }

    /** The first run strictly after {@code after}; empty once the schedule has ended. */
    public Optional<Instant> nextAfter(Instant after) {
        requireNonNull(after, "after");
        ZonedDateTime next = frequency != null ? nextOccurrence(after) : nextInWindow(after);
        if (end != null && next.isAfter(end)) {
            return Optional.empty();
        }
        return Optional.of(next.toInstant());
    }

    private ZonedDateTime nextOccurrence(Instant after) {
        if (start.toInstant().isAfter(after)) {
            return start;
        }
        ZonedDateTime at = after.atZone(start.getZone());
        // Estimate how many periods have passed, then step to the first occurrence after `after`.
        long k;
        switch (frequency) {
            case HOURLY:
                k = ChronoUnit.HOURS.between(start, at);
                break;
            case DAILY:
                k = ChronoUnit.DAYS.between(start.toLocalDate(), at.toLocalDate()) - 1;
                break;
            case WEEKLY:
                k = ChronoUnit.WEEKS.between(start.toLocalDate(), at.toLocalDate()) - 1;
                break;
            default:
                k = ChronoUnit.MONTHS.between(start.toLocalDate(), at.toLocalDate()) - 1;
        }
        k = Math.max(0, k);
        ZonedDateTime candidate = occurrence(k);
        while (!candidate.toInstant().isAfter(after)) {
            candidate = occurrence(++k);
        }
        return candidate;
    }

    private ZonedDateTime occurrence(long k) {
        switch (frequency) {
            case HOURLY:
                return start.plusHours(k);
            case DAILY:
                return start.plusDays(k);
            case WEEKLY:
                return start.plusWeeks(k);
            default:
                return start.plusMonths(k);
        }
    }

    private ZonedDateTime nextInWindow(Instant after) {
        ZoneId zone = start.getZone();
        LocalDate day = after.atZone(zone).toLocalDate();
        for (int i = 0; i < 3; i++, day = day.plusDays(1)) {
            ZonedDateTime open = day.atTime(windowStart).atZone(zone);
            ZonedDateTime close = day.atTime(windowEnd).atZone(zone);
            long steps = 0;
            if (!open.toInstant().isAfter(after)) {
                long elapsed = Duration.between(open.toInstant(), after).toNanos();
                steps = elapsed / interval.toNanos() + 1;
            }
            ZonedDateTime candidate = open.plus(interval.multipliedBy(steps));
            if (candidate.isBefore(close)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no run found in the next days for " + this);
    }

    /** The next {@code n} runs after {@code after}, for showing a schedule to people. */
    public List<Instant> upcoming(Instant after, int n) {
        List<Instant> runs = new ArrayList<>();
        Instant t = after;
        for (int i = 0; i < n; i++) {
            Optional<Instant> next = nextAfter(t);
            if (next.isEmpty()) {
                break;
            }
            runs.add(next.get());
            t = next.get();
        }
        return runs;
    }

    @Override
    public String toString() {
        String what = frequency != null ? frequency.name().toLowerCase(java.util.Locale.ROOT) + " from " + start
                : "every " + interval + " from " + windowStart + " to " + windowEnd + " " + start.getZone();
        return "Schedule{" + what + (end != null ? " until " + end : "") + "}";
    }
}
