package org.crmsync.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.RecordSource;
import org.crmsync.model.StandardField;
import org.crmsync.spi.Capability;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.Connector;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.PreflightProblem;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncContext;
import org.crmsync.spi.SyncCursor;
import org.crmsync.spi.WriteResult;

/**
 * An in-memory CRM behind the connector SPI, to drive the engine in tests. Records persist between
 * calls; each page read, lookup and write batch is one API call counted through the run's meter, as a
 * real connector counts its HTTP calls. Failures can be injected per record or per call.
 */
public final class FakeConnector implements Connector {
    /** One CRM record: fields by API name and the change sequence that orders reads. */
    private static final class Stored {
        final Map<String, String> fields = new LinkedHashMap<>();
        long modified;
    }

    private final TreeMap<String, Stored> records = new TreeMap<>();
    private final int pageSize;
    private long sequence;
    private long nextId = 1;
    private int readCalls;
    private int lookupCalls;
    private int writeCalls;
    private final List<PreflightProblem> preflightProblems = new ArrayList<>();
    private Set<String> knownFields;
    private Predicate<RemoteWrite> reject = w -> false;
    private String rejectCode = "INVALID";
    private boolean rejectRetryable;
    private int failWriteCalls;
    private boolean crashAfterApplyingNextWrite;
    private String requiredOnCreate;

    public FakeConnector() {
        this(50);
    }

    public FakeConnector(int pageSize) {
        this.pageSize = pageSize;
    }

    // ----- the CRM's side, for tests to arrange and inspect -----

    /** Adds or changes a CRM record as a CRM user would; it becomes the newest change. */
    public synchronized String put(String id, Map<String, String> fields) {
        Stored s = records.computeIfAbsent(id, k -> new Stored());
        fields.forEach((k, v) -> {
            if (v == null || v.isEmpty()) {
                s.fields.remove(k);
            } else {
                s.fields.put(k, v);
            }
        });
        s.modified = ++sequence;
        return id;
    }

    public synchronized Optional<Map<String, String>> record(String id) {
        return Optional.ofNullable(records.get(id)).map(s -> Map.copyOf(s.fields));
    }

    public synchronized int size() {
        return records.size();
    }

    public synchronized List<String> idsWhere(String apiName, String value) {
        return records.entrySet().stream().filter(e -> value.equalsIgnoreCase(e.getValue().fields.get(apiName)))
                .map(Map.Entry::getKey).toList();
    }

    public int readCalls() {
        return readCalls;
    }

    public int lookupCalls() {
        return lookupCalls;
    }

    public int writeCalls() {
        return writeCalls;
    }

    public FakeConnector preflightProblem(String subject, String message) {
        preflightProblems.add(new PreflightProblem(subject, message));
        return this;
    }

    /** Only these API field names exist; preflight reports mapped names outside them. */
    public FakeConnector knownFields(Set<String> names) {
        this.knownFields = Set.copyOf(names);
        return this;
    }

    /** Per-record rejection, as a CRM's validation error. */
    public FakeConnector reject(Predicate<RemoteWrite> which, String code, boolean retryable) {
        this.reject = which;
        this.rejectCode = code;
        this.rejectRetryable = retryable;
        return this;
    }

    public FakeConnector clearRejections() {
        this.reject = w -> false;
        return this;
    }

    /** The next {@code calls} write calls fail as a whole, like a CRM still down after retries. */
    public FakeConnector failWriteCalls(int calls) {
        this.failWriteCalls = calls;
        return this;
    }

    /** The next write call applies its records and then the connection drops before the answer. */
    public FakeConnector crashAfterApplyingNextWrite() {
        this.crashAfterApplyingNextWrite = true;
        return this;
    }

    /** Creates without a value in this API field are refused before sending (like Salesforce's LastName). */
    public FakeConnector requireOnCreate(String apiName) {
        this.requiredOnCreate = apiName;
        return this;
    }

    // ----- the SPI -----

    @Override
    public String providerId() {
        return "fake";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.READ_API, Capability.BATCH_LOOKUP, Capability.BATCH_WRITE);
    }

    @Override
    public int preferredBatchSize() {
        return 200;
    }

    @Override
    public List<PreflightProblem> preflight(SyncContext context) {
        context.calls().acquire("GET /describe");
        List<PreflightProblem> problems = new ArrayList<>(preflightProblems);
        if (knownFields != null) {
            for (FieldRule r : context.mapping().rules()) {
                r.apiName().filter(n -> !knownFields.contains(n)).ifPresent(n ->
                        problems.add(new PreflightProblem(n, "no such field in the CRM (mapped from " + r.localField()
                                + ")")));
            }
        }
        return problems;
    }

    @Override
    public ChangeStream readChanges(SyncContext context, SyncCursor since) {
        long after = since.get("seq").map(Long::parseLong).orElse(0L);
        return new ChangeStream() {
            private final List<RemoteRecord> page = new ArrayList<>();
            private long position = after;
            private boolean done;

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
                    records.entrySet().stream().filter(e -> e.getValue().modified > position)
                            .sorted((a, b) -> Long.compare(a.getValue().modified, b.getValue().modified))
                            .limit(pageSize)
                            .forEach(e -> page.add(RemoteRecord.of(e.getKey(), e.getValue().fields, RecordSource.API,
                                    SyncCursor.of("seq", Long.toString(e.getValue().modified)), "fake record "
                                            + e.getKey())));
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
            public void close() {
            }
        };
    }

    @Override
    public Map<String, List<RemoteRecord>> lookup(SyncContext context, List<LookupRequest> requests) {
        context.calls().acquire("POST /records/lookup");
        FieldMapping m = context.mapping();
        String email = api(m, StandardField.EMAIL);
        String phone = api(m, StandardField.PHONE_NUMBER);
        String localId = api(m, StandardField.LOCAL_ID);
        Map<String, List<RemoteRecord>> found = new LinkedHashMap<>();
        synchronized (this) {
            lookupCalls++;
            for (LookupRequest r : requests) {
                List<RemoteRecord> matches = new ArrayList<>();
                records.forEach((id, s) -> {
                    boolean hit = r.profile().constituentId().filter(id::equals).isPresent()
                            || same(r.profile().email(), s.fields.get(email))
                            || same(r.profile().phoneNumber(), s.fields.get(phone))
                            || same(r.profile().localId(), s.fields.get(localId));
                    if (hit) {
                        matches.add(RemoteRecord.of(id, s.fields, RecordSource.API, SyncCursor.start(), "lookup"));
                    }
                });
                found.put(r.key(), matches);
            }
        }
        return found;
    }

    private static boolean same(Optional<String> local, String remote) {
        return local.isPresent() && remote != null
                && local.get().toLowerCase(Locale.ROOT).equals(remote.toLowerCase(Locale.ROOT));
    }

    private static String api(FieldMapping m, StandardField f) {
        return m.rule(f).flatMap(FieldRule::apiName).orElse("\u0000none");
    }

    @Override
    public Optional<String> missingRequiredField(RemoteWrite write) {
        if (requiredOnCreate != null && write.operation() == RemoteWrite.Operation.CREATE
                && write.fields().getOrDefault(requiredOnCreate, "").isBlank()) {
            return Optional.of(requiredOnCreate + " is required by the CRM for a new record");
        }
        return Optional.empty();
    }

    @Override
    public List<WriteResult> write(SyncContext context, List<RemoteWrite> batch) {
        context.calls().acquire("POST /records/batch");
        synchronized (this) {
            writeCalls++;
            if (failWriteCalls > 0) {
                failWriteCalls--;
                throw new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "fake CRM answered 503 on every retry");
            }
            List<WriteResult> results = new ArrayList<>();
            for (RemoteWrite w : batch) {
                if (reject.test(w)) {
                    results.add(WriteResult.failed(w.key(), rejectCode, "rejected by the fake CRM", rejectRetryable));
                    continue;
                }
                if (w.operation() == RemoteWrite.Operation.CREATE) {
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
                throw new CrmSyncException(ErrorCode.CONNECTION_FAILED, "connection reset after the CRM applied the batch");
            }
            return results;
        }
    }
}
