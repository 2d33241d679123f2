package org.crmsync.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.RecordSource;
import org.crmsync.model.StandardField;
import org.crmsync.spi.ActivityResult;
import org.crmsync.spi.ActivityWrite;
import org.crmsync.spi.Capability;
import org.crmsync.spi.ChangeFeed;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.PreflightProblem;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncContext;
import org.crmsync.spi.SyncCursor;
import org.crmsync.spi.WriteResult;

/**
 * An in-memory CRM behind the connector SPI, to drive the engine in tests and in the examples (their
 * {@code memory} connector is one), indexed so that reads and look-ups do not scan. Records persist between
 * calls; each page read, lookup, read by id and write call (creates and updates are separate calls)
 * is one API call counted through the run's meter, as a real connector counts its HTTP calls.
 * Failures, a change feed prepared as a job, unreadable records and a CRM that matches on create can
 * be switched on. Thread-safe: one instance may serve several jobs at once.
 */
public final class FakeConnector implements Connector {
    /** One CRM record: fields by API name and the change sequence that orders reads. */
    private static final class Stored {
        final Map<String, String> fields = new LinkedHashMap<>();
        long modified;
    }

    private final TreeMap<String, Stored> records = new TreeMap<>();
    /** Change number to record id, in change order, so a page read does not scan every record. */
    private final TreeMap<Long, String> changes = new TreeMap<>();
    /** API field name to lower-cased value to record ids, so a look-up does not scan every record. */
    private final Map<String, Map<String, Set<String>>> index = new HashMap<>();
    private final String providerId;
    private final int pageSize;
    private long sequence;
    private long nextId = 1;
    private int readCalls;
    private int lookupCalls;
    private int writeCalls;
    private int readByIdCalls;
    private int preflightCalls;
    private int sessionsOpened;
    private final List<PreflightProblem> preflightProblems = new ArrayList<>();
    private Set<String> knownFields;
    private Predicate<RemoteWrite> reject = w -> false;
    private Predicate<RemoteWrite> exclude = w -> false;
    private String rejectCode = "INVALID";
    private boolean rejectRetryable;
    private int failWriteCalls;
    private boolean crashAfterApplyingNextWrite;
    private String requiredOnCreate;
    private final Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
    private final Set<String> unreadable = new HashSet<>();
    private int exportJobPolls = -1;
    private final Map<String, Integer> exportJobs = new HashMap<>();
    private int exportJobsStarted;
    private String accountKey = "fake.example/api-user";
    private boolean stampPassEnds;
    private int failLookupCalls;
    private String failLookupOf;
    private int callsInFlight = 1;
    private final Calls inFlight = new Calls();

    public FakeConnector() {
        this(50);
    }

    public FakeConnector(int pageSize) {
        this("fake", pageSize);
    }

    /** A fake under another provider id (the examples' {@code memory} CRM is one). */
    public FakeConnector(String providerId, int pageSize) {
        this.providerId = providerId;
        this.pageSize = pageSize;
    }

    // ----- the CRM's side, for tests to arrange and inspect -----

    /** Adds or changes a CRM record as a CRM user would; it becomes the newest change. */
    public synchronized String put(String id, Map<String, String> fields) {
        Stored s = records.computeIfAbsent(id, k -> new Stored());
        fields.forEach((k, v) -> {
            String old = s.fields.get(k);
            if (old != null) {
                unindex(k, old, id);
            }
            if (v == null || v.isEmpty()) {
                s.fields.remove(k);
            } else {
                s.fields.put(k, v);
                index.computeIfAbsent(k, f -> new HashMap<>())
                        .computeIfAbsent(v.toLowerCase(Locale.ROOT), x -> new java.util.LinkedHashSet<>()).add(id);
            }
        });
        changes.remove(s.modified);
        s.modified = ++sequence;
        changes.put(s.modified, id);
        return id;
    }

    /** Adds a record as a CRM user would, under a new id; returns the id. */
    public synchronized String add(Map<String, String> fields) {
        return put(String.format(Locale.ROOT, "C%012d", nextId++), fields);
    }

    private void unindex(String field, String value, String id) {
        Map<String, Set<String>> byValue = index.get(field);
        if (byValue != null) {
            Set<String> ids = byValue.get(value.toLowerCase(Locale.ROOT));
            if (ids != null) {
                ids.remove(id);
            }
        }
    }

    private Set<String> withValue(String field, Optional<String> value) {
        if (value.isEmpty()) {
            return Set.of();
        }
        return index.getOrDefault(field, Map.of()).getOrDefault(value.get().toLowerCase(Locale.ROOT), Set.of());
    }

    public synchronized Optional<Map<String, String>> record(String id) {
        return Optional.ofNullable(records.get(id)).map(s -> Map.copyOf(s.fields));
    }

    public synchronized void delete(String id) {
        Stored s = records.remove(id);
        if (s != null) {
            s.fields.forEach((k, v) -> unindex(k, v, id));
            changes.remove(s.modified);
        }
    }

    public synchronized int size() {
        return records.size();
    }

    public synchronized List<String> idsWhere(String apiName, String value) {
        return List.copyOf(withValue(apiName, Optional.of(value)));
    }

    public synchronized int readCalls() {
        return readCalls;
    }

    public synchronized int lookupCalls() {
        return lookupCalls;
    }

    public synchronized int writeCalls() {
        return writeCalls;
    }

    public synchronized int readByIdCalls() {
        return readByIdCalls;
    }

    /** Preflight calls ({@code GET /describe}) the CRM answered: one per run that was let send it. */
    public synchronized int preflightCalls() {
        return preflightCalls;
    }

    public synchronized int sessionsOpened() {
        return sessionsOpened;
    }

    public FakeConnector preflightProblem(String subject, String message) {
        preflightProblems.add(new PreflightProblem(subject, message));
        return this;
    }

    public synchronized FakeConnector clearPreflightProblems() {
        preflightProblems.clear();
        return this;
    }

    /** Only these API field names exist; preflight reports mapped names outside them. */
    public FakeConnector knownFields(Set<String> names) {
        this.knownFields = Set.copyOf(names);
        return this;
    }

    /** Per-record rejection, as a CRM's validation error. */
    public synchronized FakeConnector reject(Predicate<RemoteWrite> which, String code, boolean retryable) {
        this.reject = which;
        this.rejectCode = code;
        this.rejectRetryable = retryable;
        return this;
    }

    public synchronized FakeConnector clearRejections() {
        this.reject = w -> false;
        this.exclude = w -> false;
        return this;
    }

    /** Per-record exclusion by a rule of the account (an exclusion list): nothing written, {@code EXCLUDED}. */
    public synchronized FakeConnector exclude(Predicate<RemoteWrite> which) {
        this.exclude = which;
        return this;
    }

    /** The next {@code calls} write calls fail as a whole, like a CRM still down after retries. */
    public synchronized FakeConnector failWriteCalls(int calls) {
        this.failWriteCalls = calls;
        return this;
    }

    /** The next write call applies its records and then the connection drops before the answer. */
    /** The next {@code calls} look-up calls fail as a CRM down after every retry would. */
    public synchronized FakeConnector failLookupCalls(int calls) {
        this.failLookupCalls = calls;
        return this;
    }

    /** The next look-up call that asks for a profile with this email fails as a CRM down would. */
    public synchronized FakeConnector failLookupOf(String email) {
        this.failLookupOf = email;
        return this;
    }

    /** Declares that up to {@code n} look-ups and writes of a session may be in flight at once. */
    public synchronized FakeConnector callsInFlight(int n) {
        this.callsInFlight = n;
        return this;
    }

    /**
     * Every look-up and write waits until {@code n} of them have arrived (at most five seconds), so a
     * test sees whether the engine sends {@code n} at once; zero (the default) lets each go at once.
     */
    public FakeConnector gatherCalls(int n) {
        inFlight.gather(n);
        return this;
    }

    /** The most look-ups and writes that were in flight at once. */
    public int peakCallsInFlight() {
        return inFlight.peak();
    }

    public synchronized FakeConnector crashAfterApplyingNextWrite() {
        this.crashAfterApplyingNextWrite = true;
        return this;
    }

    /** Creates without a value in this API field are refused before sending (like a required last name). */
    public FakeConnector requireOnCreate(String apiName) {
        this.requiredOnCreate = apiName;
        return this;
    }

    /**
     * The CRM finds or creates in one call, by email ({@link Capability#MATCHES_ON_CREATE}): a create
     * for an email it has updates that record and answers MATCHED.
     */
    public synchronized FakeConnector matchesOnCreate() {
        capabilities.add(Capability.MATCHES_ON_CREATE);
        return this;
    }

    // ----- activities -----

    /** An activity as the fake CRM keeps it: with the application's key when the CRM keeps keys. */
    public record PostedActivity(String id, String key, String type, String recordId, java.time.Instant occurredAt,
            Map<String, String> fields) {
    }

    private boolean postsActivities;
    private boolean findsActivitiesByKey;
    private int activitiesPerCall = 50;
    private final List<PostedActivity> postedActivities = new ArrayList<>();
    private int activityCalls;
    private int activityLookupCalls;
    private int dropAnswersOfActivityCalls;
    private Predicate<ActivityWrite> refuseActivity = w -> false;

    /**
     * The CRM takes activities ({@link Capability#WRITE_ACTIVITIES}), {@code perCall} in one call; with
     * {@code keepsKeys} it stores each one's key and looks for the keys of in-doubt activities first
     * ({@link Capability#FINDS_ACTIVITIES_BY_KEY}), one call per batch.
     */
    public synchronized FakeConnector postsActivities(int perCall, boolean keepsKeys) {
        postsActivities = true;
        findsActivitiesByKey = keepsKeys;
        activitiesPerCall = perCall;
        capabilities.add(Capability.WRITE_ACTIVITIES);
        if (keepsKeys) {
            capabilities.add(Capability.FINDS_ACTIVITIES_BY_KEY);
        } else {
            capabilities.remove(Capability.FINDS_ACTIVITIES_BY_KEY);
        }
        return this;
    }

    /** The next {@code n} activity calls are taken by the CRM, then their answers are lost (a dropped connection). */
    public synchronized FakeConnector dropAnswerOfActivityCalls(int n) {
        dropAnswersOfActivityCalls = n;
        return this;
    }

    /** The CRM refuses these activities (as a validation error; not retryable). */
    public synchronized FakeConnector refuseActivities(Predicate<ActivityWrite> which) {
        refuseActivity = which;
        return this;
    }

    /** Every activity the CRM holds, in the order it took them. */
    public synchronized List<PostedActivity> postedActivities() {
        return List.copyOf(postedActivities);
    }

    /** How many activities with this key the CRM holds (exactly once: 1). */
    public synchronized long postedActivitiesWithKey(String key) {
        return postedActivities.stream().filter(a -> a.key().equals(key)).count();
    }

    public synchronized int activityCalls() {
        return activityCalls;
    }

    public synchronized int activityLookupCalls() {
        return activityLookupCalls;
    }

    /** Records can be read by id ({@link Capability#READ_BY_ID}). */
    public synchronized FakeConnector readsById() {
        capabilities.add(Capability.READ_BY_ID);
        return this;
    }

    /** Reads of this record fail (as one record's failed API read) until {@link #readable}. */
    public synchronized FakeConnector unreadable(String id) {
        unreadable.add(id);
        return this;
    }

    public synchronized FakeConnector readable(String id) {
        unreadable.remove(id);
        return this;
    }

    /**
     * Changes are prepared as an export job that is ready after {@code polls} more looks at it: a run
     * without a job starts one and is told to wait; a run with the job's id in its cursor polls it.
     */
    public synchronized FakeConnector changesAsExportJob(int polls) {
        this.exportJobPolls = polls;
        return this;
    }

    public synchronized int exportJobsStarted() {
        return exportJobsStarted;
    }

    /**
     * A pass that reads to the end sets the cursor to when it ended (as a feed whose next start is the
     * time of its last read does), even when it read nothing.
     */
    public synchronized FakeConnector stampPassEnds() {
        this.stampPassEnds = true;
        return this;
    }

    public synchronized FakeConnector accountKey(String key) {
        this.accountKey = key;
        return this;
    }

    // ----- the SPI -----

    @Override
    public String providerId() {
        return providerId;
    }

    @Override
    public synchronized String accountKey() {
        return accountKey;
    }

    @Override
    public synchronized Set<Capability> capabilities() {
        return Set.copyOf(capabilities);
    }

    @Override
    public int preferredBatchSize() {
        return 200;
    }

    @Override
    public synchronized int maxCallsInFlight() {
        return callsInFlight;
    }

    @Override
    public ConnectorSession open(SyncContext context) {
        synchronized (this) {
            sessionsOpened++;
        }
        return new Session(context);
    }

    /** One run: everything it counts goes to its own context's meter. */
    private final class Session implements ConnectorSession {
        private final SyncContext context;

        Session(SyncContext context) {
            this.context = context;
        }

        @Override
        public List<PreflightProblem> preflight() {
            context.calls().acquire("GET /describe");
            List<PreflightProblem> problems;
            synchronized (FakeConnector.this) {
                preflightCalls++;
                problems = new ArrayList<>(preflightProblems);
            }
            if (knownFields != null) {
                for (FieldRule r : context.mapping().rules()) {
                    r.apiName().filter(n -> !knownFields.contains(n)).ifPresent(n ->
                            problems.add(new PreflightProblem(n, "no such field in the CRM (mapped from "
                                    + r.localField() + ")")));
                }
            }
            return problems;
        }

        @Override
        public ChangeFeed readChanges(SyncCursor since) {
            long after = since.get("seq").map(Long::parseLong).orElse(0L);
            synchronized (FakeConnector.this) {
                if (exportJobPolls >= 0) {
                    Optional<String> job = since.get("job");
                    if (job.isEmpty() || !exportJobs.containsKey(job.get())) {
                        context.calls().acquire("POST /exportJobs");
                        String id = "J" + (++exportJobsStarted);
                        exportJobs.put(id, exportJobPolls);
                        Map<String, String> cursor = new LinkedHashMap<>(since.values());
                        cursor.put("job", id);
                        return ChangeFeed.notReady(new SyncCursor(cursor), Duration.ofMinutes(5),
                                "export job " + id + " was started");
                    }
                    context.calls().acquire("GET /exportJobs/" + job.get());
                    int left = exportJobs.get(job.get());
                    if (left > 0) {
                        exportJobs.put(job.get(), left - 1);
                        return ChangeFeed.notReady(since, Duration.ofMinutes(5), "export job " + job.get()
                                + " is running");
                    }
                    exportJobs.remove(job.get());
                }
            }
            return ChangeFeed.ready(new Changes(after));
        }

        /** Pages of records changed after a sequence; the end cursor says when the pass ended. */
        private final class Changes implements ChangeStream {
            private final List<RemoteRecord> page = new ArrayList<>();
            private long position;
            private boolean done;

            Changes(long after) {
                this.position = after;
            }

            @Override
            public boolean hasNext() {
                if (page.isEmpty() && !done) {
                    fetch();
                }
                return !page.isEmpty();
            }

            private void fetch() {
                context.calls().acquire("GET /records?after=" + position);
                synchronized (FakeConnector.this) {
                    readCalls++;
                    changes.tailMap(position, false).entrySet().stream().limit(pageSize)
                            .forEach(e -> page.add(recordOf(e.getValue(), records.get(e.getValue()),
                                    SyncCursor.of("seq", Long.toString(e.getKey())))));
                }
                if (page.size() < pageSize) {
                    done = true;
                }
                if (!page.isEmpty()) {
                    position = Long.parseLong(page.get(page.size() - 1).cursorAfter().get("seq").orElseThrow());
                }
            }

            @Override
            public RemoteRecord next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return page.remove(0);
            }

            @Override
            public Optional<SyncCursor> endCursor() {
                synchronized (FakeConnector.this) {
                    if (!stampPassEnds) {
                        return Optional.empty();
                    }
                }
                return Optional.of(SyncCursor.of("seq", Long.toString(position), "passEnded",
                        context.clock().instant().toString()));
            }

            @Override
            public void close() {
            }
        }

        private RemoteRecord recordOf(String id, Stored s, SyncCursor cursor) {
            if (unreadable.contains(id)) {
                return RemoteRecord.unreadable(id, cursor, "fake record " + id, "GET /records/" + id + " answered 500");
            }
            return RemoteRecord.of(id, s.fields, RecordSource.API, cursor, "fake record " + id);
        }

        @Override
        public Map<String, RemoteRecord> read(List<String> remoteIds) {
            if (!capabilities().contains(Capability.READ_BY_ID)) {
                return ConnectorSession.super.read(remoteIds);
            }
            context.calls().acquire("GET /records?ids=");
            Map<String, RemoteRecord> found = new LinkedHashMap<>();
            synchronized (FakeConnector.this) {
                readByIdCalls++;
                for (String id : remoteIds) {
                    Stored s = records.get(id);
                    if (s != null) {
                        found.put(id, recordOf(id, s, SyncCursor.start()));
                    }
                }
            }
            return found;
        }

        @Override
        public Map<String, List<RemoteRecord>> lookup(List<LookupRequest> requests) {
            inFlight.enter();
            try {
                return lookupNow(requests);
            } finally {
                inFlight.leave();
            }
        }

        private Map<String, List<RemoteRecord>> lookupNow(List<LookupRequest> requests) {
            context.calls().acquire("POST /records/lookup");
            FieldMapping m = context.mapping();
            String email = api(m, StandardField.EMAIL);
            String phone = api(m, StandardField.PHONE_NUMBER);
            String localId = api(m, StandardField.LOCAL_ID);
            Map<String, List<RemoteRecord>> found = new LinkedHashMap<>();
            synchronized (FakeConnector.this) {
                lookupCalls++;
                if (failLookupOf != null && requests.stream().anyMatch(r -> r.profile().email()
                        .filter(failLookupOf::equalsIgnoreCase).isPresent())) {
                    failLookupOf = null;
                    throw new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "fake CRM answered 503 on every retry");
                }
                if (failLookupCalls > 0) {
                    failLookupCalls--;
                    throw new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "fake CRM answered 503 on every retry");
                }
                for (LookupRequest r : requests) {
                    Set<String> ids = new java.util.TreeSet<>();
                    r.profile().constituentId().filter(records::containsKey).ifPresent(ids::add);
                    ids.addAll(withValue(email, r.profile().email()));
                    ids.addAll(withValue(phone, r.profile().phoneNumber()));
                    ids.addAll(withValue(localId, r.profile().localId()));
                    List<RemoteRecord> matches = new ArrayList<>();
                    ids.forEach(id -> matches.add(RemoteRecord.of(id, records.get(id).fields, RecordSource.API,
                            SyncCursor.start(), "lookup")));
                    found.put(r.key(), matches);
                }
            }
            return found;
        }

        @Override
        public Optional<String> missingRequiredField(RemoteWrite write) {
            if (requiredOnCreate != null && write.operation() == RemoteWrite.Operation.CREATE
                    && write.fields().getOrDefault(requiredOnCreate, "").isBlank()) {
                return Optional.of(requiredOnCreate + " is required by the CRM for a new record");
            }
            return Optional.empty();
        }

        /**
         * Creates go in one call and updates in another, as a CRM with separate endpoints would: when
         * the quota runs out before the second, its records are NOT_SENT and the first keep their results.
         */
        @Override
        public List<WriteResult> write(List<RemoteWrite> batch) {
            inFlight.enter();
            try {
                return writeNow(batch);
            } finally {
                inFlight.leave();
            }
        }

        @Override
        public List<ActivityResult> writeActivities(List<ActivityWrite> batch) {
            if (!postsActivities) {
                return ConnectorSession.super.writeActivities(batch);
            }
            List<ActivityResult> results = new ArrayList<>();
            List<ActivityWrite> toPost = new ArrayList<>(batch);
            if (findsActivitiesByKey && batch.stream().anyMatch(ActivityWrite::inDoubt)) {
                context.calls().acquire("GET /activities?keys=...");
                synchronized (FakeConnector.this) {
                    activityLookupCalls++;
                    for (ActivityWrite w : batch) {
                        Optional<PostedActivity> there = w.inDoubt() ? postedActivities.stream()
                                .filter(a -> a.key().equals(w.key())).findFirst() : Optional.empty();
                        if (there.isPresent()) {
                            results.add(ActivityResult.alreadyPosted(w.key(), Optional.of(there.get().id())));
                            toPost.remove(w);
                        }
                    }
                }
            }
            for (int from = 0; from < toPost.size(); from += activitiesPerCall) {
                List<ActivityWrite> call = toPost.subList(from, Math.min(toPost.size(), from + activitiesPerCall));
                try {
                    context.calls().acquire("POST /activities/batch");
                } catch (CrmSyncException e) {
                    if (e.code() != ErrorCode.QUOTA_EXHAUSTED) {
                        throw e;
                    }
                    // Counted before it is sent: this call and the ones after it never left.
                    toPost.subList(from, toPost.size()).forEach(w -> results.add(ActivityResult.notSent(w.key(),
                            e.getMessage())));
                    break;
                }
                synchronized (FakeConnector.this) {
                    activityCalls++;
                    for (ActivityWrite w : call) {
                        if (!records.containsKey(w.remoteRecordId())) {
                            results.add(ActivityResult.failed(w.key(), "NOT_FOUND", "no CRM record "
                                    + w.remoteRecordId(), false));
                        } else if (refuseActivity.test(w)) {
                            results.add(ActivityResult.failed(w.key(), "INVALID", "refused by the fake CRM", false));
                        } else {
                            String id = "A" + (postedActivities.size() + 1);
                            postedActivities.add(new PostedActivity(id, w.key(), w.type(),
                                    w.remoteRecordId(), w.occurredAt(), w.fields()));
                            results.add(ActivityResult.posted(w.key(), Optional.of(id)));
                        }
                    }
                    if (dropAnswersOfActivityCalls > 0) {
                        dropAnswersOfActivityCalls--;
                        throw new CrmSyncException(ErrorCode.CONNECTION_FAILED, "the connection dropped after the fake"
                                + " CRM took the call");
                    }
                }
            }
            return results;
        }

        private List<WriteResult> writeNow(List<RemoteWrite> batch) {
            List<RemoteWrite> creates = batch.stream().filter(w -> w.operation() == RemoteWrite.Operation.CREATE)
                    .toList();
            List<RemoteWrite> updates = batch.stream().filter(w -> w.operation() == RemoteWrite.Operation.UPDATE)
                    .toList();
            List<WriteResult> results = new ArrayList<>();
            boolean first = true;
            for (List<RemoteWrite> call : List.of(creates, updates)) {
                if (call.isEmpty()) {
                    continue;
                }
                try {
                    context.calls().acquire("POST /records/batch");
                } catch (CrmSyncException e) {
                    if (first || e.code() != ErrorCode.QUOTA_EXHAUSTED) {
                        throw e;
                    }
                    call.forEach(w -> results.add(WriteResult.notSent(w.key(), e.getMessage())));
                    continue;
                }
                first = false;
                results.addAll(writeCall(call));
            }
            return results;
        }

        private List<WriteResult> writeCall(List<RemoteWrite> call) {
            synchronized (FakeConnector.this) {
                writeCalls++;
                if (failWriteCalls > 0) {
                    failWriteCalls--;
                    throw new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "fake CRM answered 503 on every retry");
                }
                List<WriteResult> results = new ArrayList<>();
                String email = api(context.mapping(), StandardField.EMAIL);
                for (RemoteWrite w : call) {
                    if (exclude.test(w)) {
                        results.add(WriteResult.excluded(w.key(), "EXCLUDED", "on the fake CRM's exclusion list"));
                        continue;
                    }
                    if (reject.test(w)) {
                        results.add(WriteResult.failed(w.key(), rejectCode, "rejected by the fake CRM",
                                rejectRetryable));
                        continue;
                    }
                    if (w.operation() == RemoteWrite.Operation.CREATE) {
                        List<String> same = capabilities.contains(Capability.MATCHES_ON_CREATE)
                                ? idsWhere(email, w.fields().getOrDefault(email, "\u0000")) : List.of();
                        if (same.size() == 1) {
                            put(same.get(0), w.fields());
                            results.add(WriteResult.matched(w.key(), same.get(0), "found by email"));
                            continue;
                        }
                        String id = "C" + (nextId++);
                        put(id, w.fields());
                        results.add(WriteResult.created(w.key(), id));
                    } else {
                        String id = w.remoteId().orElseThrow();
                        if (!records.containsKey(id)) {
                            results.add(WriteResult.failed(w.key(), "NOT_FOUND", "no record " + id, false));
                            continue;
                        }
                        Map<String, String> current = records.get(id).fields;
                        boolean same = w.fields().entrySet().stream().allMatch(e -> e.getValue().isEmpty()
                                ? !current.containsKey(e.getKey()) : e.getValue().equals(current.get(e.getKey())));
                        if (same) {
                            results.add(WriteResult.unchanged(w.key(), id, "already up to date"));
                            continue;
                        }
                        put(id, w.fields());
                        results.add(WriteResult.updated(w.key(), id));
                    }
                }
                if (crashAfterApplyingNextWrite) {
                    crashAfterApplyingNextWrite = false;
                    throw new CrmSyncException(ErrorCode.CONNECTION_FAILED,
                            "connection reset after the CRM applied the batch");
                }
                return results;
            }
        }
    }

    /** The look-ups and writes in flight: counted, and gathered when a test asks. */
    private static final class Calls {
        private int now;
        private int peak;
        private int gather;
        private long arrived;
        private long released;

        synchronized void gather(int n) {
            this.gather = n;
        }

        synchronized int peak() {
            return peak;
        }

        synchronized void enter() {
            now++;
            peak = Math.max(peak, now);
            if (gather <= 1) {
                return;
            }
            arrived++;
            if (arrived % gather == 0) {
                released = arrived;
                notifyAll();
                return;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long mine = arrived;
            while (released < mine) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        synchronized void leave() {
            now--;
        }
    }

    private static String api(FieldMapping m, StandardField f) {
        return m.rule(f).flatMap(FieldRule::apiName).orElse("\u0000none");
    }
}
