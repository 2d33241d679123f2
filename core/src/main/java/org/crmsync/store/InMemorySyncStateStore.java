package org.crmsync.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.RecordSource;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;

/**
 * A {@link SyncStateStore} in memory, for tests and for applications that keep the state elsewhere
 * (read it with the interface's methods and save it their own way). Thread-safe.
 *
 * <p>API-call counts are kept for the last {@value #API_CALL_DAYS_KEPT} days before the newest day
 * counted; older days are dropped. The newest {@code keepReports} reports of each job are kept.
 * Job ids follow the file store's rule (letters, digits, '.', '_' and '-'), so state kept here can
 * move to a {@link FileSyncStateStore}. Calls of {@link QuotaWindow#ROLLING_24_HOURS} quotas are
 * counted per hour and kept for two days.
 *
 * <p>Leases live in this object only: they keep runs of one job in this process from overlapping
 * (engines sharing the store), which is all a store of one process needs.
 */
public final class InMemorySyncStateStore implements SyncStateStore {
    /** How many reports per job the stores keep unless told otherwise. */
    public static final int DEFAULT_KEEP_REPORTS = 20;
    /** API-call counts of days this much older than the newest day counted are dropped. */
    public static final int API_CALL_DAYS_KEPT = 7;

    private final int keepReports;
    private final Map<String, EnumMap<SyncDirection, SyncCursor>> cursors = new TreeMap<>();
    private final Map<String, TreeMap<LocalDate, Long>> apiCalls = new TreeMap<>();
    /** Per quota key, calls by the start of their hour (rolling-window quotas). */
    private final Map<String, TreeMap<Instant, Long>> hourlyCalls = new TreeMap<>();
    private final Map<String, RunLease> leases = new HashMap<>();
    private final Map<String, EnumMap<SyncDirection, LinkedHashMap<String, PendingRecord>>> pending = new TreeMap<>();
    /** Per job, oldest first by start time. */
    private final Map<String, List<SyncReport>> reports = new HashMap<>();
    /** Bumped by every change to cursors, API calls or pending records (what a file store writes). */
    private long version;

    /** A store keeping the newest {@value #DEFAULT_KEEP_REPORTS} reports of each job. */
    public InMemorySyncStateStore() {
        this(DEFAULT_KEEP_REPORTS);
    }

    /** A store keeping the newest {@code keepReports} reports of each job. */
    public InMemorySyncStateStore(int keepReports) {
        this.keepReports = requireKeepReports(keepReports);
    }

    static int requireKeepReports(int keepReports) {
        if (keepReports < 1) {
            throw new IllegalArgumentException("keepReports must be at least 1; got " + keepReports);
        }
        return keepReports;
    }

    @Override
    public synchronized Optional<SyncCursor> cursor(String jobId, SyncDirection direction) {
        StoreFiles.requireSafeJobId(jobId);
        requireNonNull(direction, "direction");
        EnumMap<SyncDirection, SyncCursor> byDirection = cursors.get(jobId);
        return byDirection == null ? Optional.empty() : Optional.ofNullable(byDirection.get(direction));
    }

    @Override
    public synchronized void saveCursor(String jobId, SyncDirection direction, SyncCursor cursor) {
        StoreFiles.requireSafeJobId(jobId);
        requireNonNull(direction, "direction");
        requireNonNull(cursor, "cursor");
        SyncCursor old = cursors.computeIfAbsent(jobId, k -> new EnumMap<>(SyncDirection.class)).put(direction, cursor);
        if (!cursor.equals(old)) {
            version++;
        }
    }

    @Override
    public synchronized long apiCallsUsed(String quotaKey, LocalDate day) {
        requireNonNull(quotaKey, "quotaKey");
        requireNonNull(day, "day");
        TreeMap<LocalDate, Long> days = apiCalls.get(quotaKey);
        return days == null ? 0 : days.getOrDefault(day, 0L);
    }

    @Override
    public synchronized void addApiCalls(String quotaKey, LocalDate day, long calls) {
        requireNonNull(quotaKey, "quotaKey");
        requireNonNull(day, "day");
        if (calls < 0) {
            throw new IllegalArgumentException("calls must not be negative; got " + calls);
        }
        if (calls == 0) {
            return;
        }
        apiCalls.computeIfAbsent(quotaKey, k -> new TreeMap<>()).merge(day, calls, Long::sum);
        dropOldApiCallDays();
        version++;
    }

    /** Counts only matter for today's quota; a week is kept for people reading the state file. */
    private void dropOldApiCallDays() {
        LocalDate newest = apiCalls.values().stream().map(TreeMap::lastKey).max(LocalDate::compareTo).orElseThrow();
        LocalDate oldestKept = newest.minusDays(API_CALL_DAYS_KEPT);
        apiCalls.values().forEach(days -> days.headMap(oldestKept).clear());
        apiCalls.values().removeIf(Map::isEmpty);
    }

    @Override
    public synchronized List<PendingRecord> pending(String jobId, SyncDirection direction) {
        Map<String, PendingRecord> records = pendingOf(jobId, direction);
        return records == null ? List.of() : List.copyOf(records.values());
    }

    @Override
    public synchronized void savePending(String jobId, SyncDirection direction, PendingRecord record) {
        StoreFiles.requireSafeJobId(jobId);
        requireNonNull(direction, "direction");
        requireNonNull(record, "record");
        // A replaced record keeps its place, so the list stays oldest first.
        PendingRecord old = pending.computeIfAbsent(jobId, k -> new EnumMap<>(SyncDirection.class))
                .computeIfAbsent(direction, k -> new LinkedHashMap<>())
                .put(record.key(), record);
        if (!record.equals(old)) {
            version++;
        }
    }

    @Override
    public synchronized void removePending(String jobId, SyncDirection direction, String key) {
        requireNonNull(key, "key");
        Map<String, PendingRecord> records = pendingOf(jobId, direction);
        if (records != null && records.remove(key) != null) {
            if (records.isEmpty()) {
                EnumMap<SyncDirection, LinkedHashMap<String, PendingRecord>> byDirection = pending.get(jobId);
                byDirection.remove(direction);
                if (byDirection.isEmpty()) {
                    pending.remove(jobId);
                }
            }
            version++;
        }
    }

    private Map<String, PendingRecord> pendingOf(String jobId, SyncDirection direction) {
        StoreFiles.requireSafeJobId(jobId);
        requireNonNull(direction, "direction");
        EnumMap<SyncDirection, LinkedHashMap<String, PendingRecord>> byDirection = pending.get(jobId);
        return byDirection == null ? null : byDirection.get(direction);
    }

    @Override
    public synchronized long apiCallsUsed(String quotaKey, QuotaWindow window, Instant now) {
        requireNonNull(quotaKey, "quotaKey");
        requireNonNull(window, "window");
        requireNonNull(now, "now");
        if (window == QuotaWindow.UTC_DAY) {
            return apiCallsUsed(quotaKey, LocalDate.ofInstant(now, ZoneOffset.UTC));
        }
        TreeMap<Instant, Long> hours = hourlyCalls.get(quotaKey);
        if (hours == null) {
            return 0;
        }
        // An hour counts while any part of it is within the last 24 hours (see QuotaWindow).
        Instant firstCounted = hourOf(now).minus(Duration.ofHours(24));
        return hours.tailMap(firstCounted, true).values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public synchronized long reserveApiCalls(String quotaKey, QuotaWindow window, Instant now, long calls, long limit) {
        if (calls < 0 || limit < 0) {
            throw new IllegalArgumentException("calls and limit must not be negative; got " + calls + " and " + limit);
        }
        long granted = Math.max(0, Math.min(calls, limit - apiCallsUsed(quotaKey, window, now)));
        if (granted > 0) {
            changeApiCalls(quotaKey, window, now, granted);
        }
        return granted;
    }

    @Override
    public synchronized void returnApiCalls(String quotaKey, QuotaWindow window, Instant reservedAt, long calls) {
        requireNonNull(quotaKey, "quotaKey");
        requireNonNull(window, "window");
        requireNonNull(reservedAt, "reservedAt");
        if (calls < 0) {
            throw new IllegalArgumentException("calls must not be negative; got " + calls);
        }
        if (calls > 0) {
            changeApiCalls(quotaKey, window, reservedAt, -calls);
        }
    }

    /** Adds {@code delta} (negative: gives back) to the bucket of {@code at}, never below zero. */
    private void changeApiCalls(String quotaKey, QuotaWindow window, Instant at, long delta) {
        if (window == QuotaWindow.UTC_DAY) {
            LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
            TreeMap<LocalDate, Long> days = apiCalls.computeIfAbsent(quotaKey, k -> new TreeMap<>());
            days.put(day, Math.max(0, days.getOrDefault(day, 0L) + delta));
            dropOldApiCallDays();
        } else {
            TreeMap<Instant, Long> hours = hourlyCalls.computeIfAbsent(quotaKey, k -> new TreeMap<>());
            Instant hour = hourOf(at);
            hours.put(hour, Math.max(0, hours.getOrDefault(hour, 0L) + delta));
            Instant newest = hours.lastKey();
            hours.headMap(newest.minus(Duration.ofHours(48))).clear();
        }
        version++;
    }

    private static Instant hourOf(Instant at) {
        return at.truncatedTo(ChronoUnit.HOURS);
    }

    @Override
    public synchronized RunLease acquireLease(String jobId, String owner, Instant now, Duration duration) {
        StoreFiles.requireSafeJobId(jobId);
        requireNonNull(owner, "owner");
        requireNonNull(now, "now");
        requireLeaseDuration(duration);
        RunLease held = leases.get(jobId);
        if (held != null && held.expiresAt().isAfter(now)) {
            throw leaseHeld(jobId, held.owner(), held.expiresAt());
        }
        RunLease lease = new RunLease(jobId, owner, UUID.randomUUID().toString(), now.plus(duration),
                Optional.ofNullable(held).map(RunLease::owner));
        leases.put(jobId, lease);
        return lease;
    }

    @Override
    public synchronized Optional<RunLease> renewLease(RunLease lease, Instant now, Duration duration) {
        requireNonNull(lease, "lease");
        requireNonNull(now, "now");
        requireLeaseDuration(duration);
        RunLease held = leases.get(lease.jobId());
        if (held == null || !held.token().equals(lease.token())) {
            return Optional.empty();
        }
        RunLease renewed = held.renewedUntil(now.plus(duration));
        leases.put(lease.jobId(), renewed);
        return Optional.of(renewed);
    }

    @Override
    public synchronized void releaseLease(RunLease lease) {
        requireNonNull(lease, "lease");
        RunLease held = leases.get(lease.jobId());
        if (held != null && held.token().equals(lease.token())) {
            leases.remove(lease.jobId());
        }
    }

    static void requireLeaseDuration(Duration duration) {
        requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("a lease must last longer than zero; got " + duration);
        }
    }

    static CrmSyncException leaseHeld(String jobId, String owner, Instant until) {
        return new CrmSyncException(ErrorCode.CONCURRENT_RUN, "sync job " + jobId + " is already running (lease"
                + " held by " + owner + " until " + until + "); runs of one job never overlap. It is taken over"
                + " only if its holder stops renewing the lease");
    }

    @Override
    public synchronized void saveReport(SyncReport report) {
        requireNonNull(report, "report");
        List<SyncReport> kept = reports.computeIfAbsent(StoreFiles.requireSafeJobId(report.jobId()),
                k -> new ArrayList<>());
        int at = kept.size();
        while (at > 0 && kept.get(at - 1).startedAt().isAfter(report.startedAt())) {
            at--;
        }
        kept.add(at, report);
        if (kept.size() > keepReports) {
            kept.subList(0, kept.size() - keepReports).clear();
        }
    }

    @Override
    public synchronized List<SyncReport> recentReports(String jobId, int limit) {
        StoreFiles.requireSafeJobId(jobId);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative; got " + limit);
        }
        List<SyncReport> newestFirst = new ArrayList<>(reports.getOrDefault(jobId, List.of()));
        Collections.reverse(newestFirst);
        return List.copyOf(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
    }

    synchronized long version() {
        return version;
    }

    // ---- persistence, for FileSyncStateStore: cursors, API calls and pending records (not reports) ----

    synchronized ObjectNode toJson() {
        ObjectNode root = StoreFiles.JSON.createObjectNode();
        root.put("format", 1);
        ObjectNode cursorsNode = root.putObject("cursors");
        cursors.forEach((job, byDirection) -> {
            ObjectNode jobNode = cursorsNode.putObject(job);
            byDirection.forEach((direction, cursor) -> {
                ObjectNode values = jobNode.putObject(direction.name());
                cursor.values().forEach(values::put);
            });
        });
        ObjectNode callsNode = root.putObject("apiCalls");
        apiCalls.forEach((key, days) -> {
            ObjectNode daysNode = callsNode.putObject(key);
            days.forEach((day, calls) -> daysNode.put(day.toString(), calls));
        });
        if (!hourlyCalls.isEmpty()) {
            ObjectNode hourlyNode = root.putObject("apiCallsHourly");
            hourlyCalls.forEach((key, hours) -> {
                ObjectNode hoursNode = hourlyNode.putObject(key);
                hours.forEach((hour, calls) -> hoursNode.put(hour.toString(), calls));
            });
        }
        ObjectNode pendingNode = root.putObject("pending");
        pending.forEach((job, byDirection) -> {
            ObjectNode jobNode = pendingNode.putObject(job);
            byDirection.forEach((direction, records) -> {
                ArrayNode list = jobNode.putArray(direction.name());
                for (PendingRecord r : records.values()) {
                    ObjectNode node = list.addObject();
                    node.put("key", r.key());
                    node.put("attempts", r.attempts());
                    node.put("lastError", r.lastError());
                    node.put("firstFailedAt", r.firstFailedAt().toString());
                    ObjectNode fields = node.putObject("remoteFields");
                    new TreeMap<>(r.remoteFields()).forEach(fields::put);
                    r.source().ifPresent(s -> node.put("source", s.name()));
                }
            });
        });
        return root;
    }

    /**
     * Rebuilds the state {@link #toJson()} wrote.
     *
     * @throws IllegalStateException or IllegalArgumentException saying what is wrong with the document
     */
    static InMemorySyncStateStore fromJson(JsonNode root, int keepReports) {
        long format = StoreFiles.number(root, "format");
        if (format != 1) {
            throw new IllegalStateException("unsupported format " + format + " (this version reads format 1)");
        }
        InMemorySyncStateStore store = new InMemorySyncStateStore(keepReports);
        for (Map.Entry<String, JsonNode> job : StoreFiles.object(root, "cursors").properties()) {
            EnumMap<SyncDirection, SyncCursor> byDirection = new EnumMap<>(SyncDirection.class);
            for (Map.Entry<String, JsonNode> d : objectValue(job.getValue(), "cursors." + job.getKey()).properties()) {
                String where = "cursors." + job.getKey() + "." + d.getKey();
                Map<String, String> values = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> v : objectValue(d.getValue(), where).properties()) {
                    values.put(v.getKey(), StoreFiles.textValue(v.getValue(), where + "." + v.getKey()));
                }
                byDirection.put(SyncDirection.valueOf(d.getKey()), new SyncCursor(values));
            }
            store.cursors.put(StoreFiles.requireSafeJobId(job.getKey()), byDirection);
        }
        for (Map.Entry<String, JsonNode> key : StoreFiles.object(root, "apiCalls").properties()) {
            TreeMap<LocalDate, Long> days = new TreeMap<>();
            for (Map.Entry<String, JsonNode> day : objectValue(key.getValue(), "apiCalls." + key.getKey()).properties()) {
                long calls = StoreFiles.wholeNumber(day.getValue(), "apiCalls." + key.getKey() + "." + day.getKey());
                days.put(LocalDate.parse(day.getKey()), calls);
            }
            store.apiCalls.put(key.getKey(), days);
        }
        if (root.has("apiCallsHourly")) { // written only once a rolling-window quota counted calls
            for (Map.Entry<String, JsonNode> key : StoreFiles.object(root, "apiCallsHourly").properties()) {
                TreeMap<Instant, Long> hours = new TreeMap<>();
                for (Map.Entry<String, JsonNode> hour : objectValue(key.getValue(), "apiCallsHourly." + key.getKey())
                        .properties()) {
                    hours.put(Instant.parse(hour.getKey()), StoreFiles.wholeNumber(hour.getValue(),
                            "apiCallsHourly." + key.getKey() + "." + hour.getKey()));
                }
                store.hourlyCalls.put(key.getKey(), hours);
            }
        }
        for (Map.Entry<String, JsonNode> job : StoreFiles.object(root, "pending").properties()) {
            EnumMap<SyncDirection, LinkedHashMap<String, PendingRecord>> byDirection = new EnumMap<>(SyncDirection.class);
            for (Map.Entry<String, JsonNode> d : objectValue(job.getValue(), "pending." + job.getKey()).properties()) {
                if (!d.getValue().isArray()) {
                    throw new IllegalStateException("pending." + job.getKey() + "." + d.getKey() + " is not an array");
                }
                LinkedHashMap<String, PendingRecord> records = new LinkedHashMap<>();
                for (JsonNode node : d.getValue()) {
                    Map<String, String> fields = new LinkedHashMap<>();
                    for (Map.Entry<String, JsonNode> f : StoreFiles.object(node, "remoteFields").properties()) {
                        fields.put(f.getKey(), StoreFiles.textValue(f.getValue(), "remote field " + f.getKey()));
                    }
                    Optional<RecordSource> source = node.has("source")
                            ? Optional.of(RecordSource.valueOf(StoreFiles.text(node, "source")))
                            : Optional.empty();
                    PendingRecord r = new PendingRecord(StoreFiles.text(node, "key"),
                            Math.toIntExact(StoreFiles.number(node, "attempts")), StoreFiles.text(node, "lastError"),
                            Instant.parse(StoreFiles.text(node, "firstFailedAt")), fields, source);
                    records.put(r.key(), r);
                }
                byDirection.put(SyncDirection.valueOf(d.getKey()), records);
            }
            store.pending.put(StoreFiles.requireSafeJobId(job.getKey()), byDirection);
        }
        return store;
    }

    private static JsonNode objectValue(JsonNode value, String where) {
        if (!value.isObject()) {
            throw new IllegalStateException(where + " is not an object");
        }
        return value;
    }
}
