package org.crmsync.examples;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.RecordSource;
import org.crmsync.model.StandardField;
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
 * A CRM kept in memory, for the demo and as the smallest example of a connector: a session per run
 * serves the engine's calls with that run's meter; records are read in
 * pages in change order with a (modified, id) cursor, looked up in one call per batch, and written in
 * one call per batch. Every page, lookup and batch counts as one API call, as a real CRM would count
 * its HTTP requests. Field names are the seeds' default names.
 */
final class InMemoryCrm implements Connector {
    private static final int PAGE = 200;

    private final Clock clock;
    private final TreeMap<String, Map<String, String>> records = new TreeMap<>();
    private final Map<String, Long> modified = new LinkedHashMap<>();
    /** Change number -> record id, in change order, so a page read does not scan every record. */
    private final TreeMap<Long, String> changes = new TreeMap<>();
    /** Lower-cased email -> record ids, so a lookup does not scan every record. */
    private final Map<String, List<String>> byEmail = new java.util.HashMap<>();
    private long changeCounter;
    private long nextId = 1;

    InMemoryCrm(Clock clock) {
        this.clock = clock;
    }

    /** Adds a record as a CRM user would; returns its id. */
    synchronized String add(Map<String, String> fields) {
        String id = String.format(Locale.ROOT, "003%012d", nextId++);
        records.put(id, new LinkedHashMap<>(fields));
        touch(id);
        index(id, null, fields.get(StandardField.EMAIL.fieldName()));
        return id;
    }

    private void touch(String id) {
        Long before = modified.put(id, ++changeCounter);
        if (before != null) {
            changes.remove(before);
        }
        changes.put(changeCounter, id);
    }

    private void index(String id, String oldEmail, String newEmail) {
        if (oldEmail != null) {
            byEmail.getOrDefault(oldEmail.toLowerCase(Locale.ROOT), new ArrayList<>()).remove(id);
        }
        if (newEmail != null && !newEmail.isBlank()) {
            byEmail.computeIfAbsent(newEmail.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(id);
        }
    }

    synchronized int size() {
        return records.size();
    }

    synchronized Optional<Map<String, String>> record(String id) {
        return Optional.ofNullable(records.get(id)).map(Map::copyOf);
    }

    @Override
    public String providerId() {
        return "memory";
    }

    @Override
    public String accountKey() {
        return "memory/local";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public ConnectorSession open(SyncContext context) {
        return new ConnectorSession() {
            @Override
            public List<PreflightProblem> preflight() {
                return InMemoryCrm.this.preflight(context);
            }

            @Override
            public ChangeFeed readChanges(SyncCursor since) {
                return ChangeFeed.ready(InMemoryCrm.this.readChanges(context, since));
            }

            @Override
            public Map<String, List<RemoteRecord>> lookup(List<LookupRequest> requests) {
                return InMemoryCrm.this.lookup(context, requests);
            }

            @Override
            public List<WriteResult> write(List<RemoteWrite> batch) {
                return InMemoryCrm.this.write(context, batch);
            }
        };
    }

    @Override
    public int preferredBatchSize() {
        return 200;
    }

    private List<PreflightProblem> preflight(SyncContext context) {
        context.calls().acquire("GET /fields");
        List<PreflightProblem> problems = new ArrayList<>();
        Set<String> known = Set.copyOf(FieldMapping.defaults().apiNames());
        for (FieldRule rule : context.mapping().rules()) {
            rule.apiName().filter(n -> !known.contains(n)).ifPresent(n ->
                    problems.add(new PreflightProblem(n, "no such field in the CRM")));
        }
        return problems;
    }

    private ChangeStream readChanges(SyncContext context, SyncCursor since) {
        long after = since.get("change").map(Long::parseLong).orElse(0L);
        return new ChangeStream() {
            private final List<RemoteRecord> page = new ArrayList<>();
            private long position = after;
            private boolean last;

            @Override
            public boolean hasNext() {
                if (page.isEmpty() && !last) {
                    context.calls().acquire("GET /records?changedAfter=" + position);
                    synchronized (InMemoryCrm.this) {
                        changes.tailMap(position, false).entrySet().stream().limit(PAGE)
                                .forEach(e -> page.add(RemoteRecord.of(e.getValue(), records.get(e.getValue()),
                                        RecordSource.API, SyncCursor.of("change", e.getKey().toString()),
                                        "record " + e.getValue())));
                    }
                    last = page.size() < PAGE;
                    if (!page.isEmpty()) {
                        position = Long.parseLong(page.get(page.size() - 1).cursorAfter().get("change").orElseThrow());
                    }
                }
                return !page.isEmpty();
            }

            @Override
            public RemoteRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.remove(0);
            }

            @Override
            public void close() {
            }
        };
    }

    private Map<String, List<RemoteRecord>> lookup(SyncContext context, List<LookupRequest> requests) {
        context.calls().acquire("POST /records/lookup");
        String email = StandardField.EMAIL.fieldName();
        Map<String, List<RemoteRecord>> found = new LinkedHashMap<>();
        synchronized (this) {
            for (LookupRequest r : requests) {
                java.util.Set<String> ids = new java.util.LinkedHashSet<>();
                r.profile().constituentId().filter(records::containsKey).ifPresent(ids::add);
                r.profile().email().ifPresent(e -> ids.addAll(byEmail.getOrDefault(e.toLowerCase(Locale.ROOT),
                        List.of())));
                List<RemoteRecord> matches = new ArrayList<>();
                ids.forEach(id -> matches.add(RemoteRecord.of(id, records.get(id), RecordSource.API, SyncCursor.start(),
                        "record " + id)));
                found.put(r.key(), matches);
            }
        }
        return found;
    }

    private synchronized List<WriteResult> write(SyncContext context, List<RemoteWrite> batch) {
        context.calls().acquire("POST /records/batch");
        String email = StandardField.EMAIL.fieldName();
        List<WriteResult> results = new ArrayList<>();
        for (RemoteWrite w : batch) {
            if (w.operation() == RemoteWrite.Operation.CREATE) {
                Map<String, String> fields = new LinkedHashMap<>(w.fields());
                fields.put("source", context.policy().sourceCode());
                fields.put("created_at", Instant.now(clock).toString());
                results.add(WriteResult.created(w.key(), add(fields)));
            } else {
                String id = w.remoteId().orElseThrow();
                Map<String, String> fields = records.get(id);
                if (fields == null) {
                    results.add(WriteResult.failed(w.key(), "NOT_FOUND", "no record " + id, false));
                    continue;
                }
                String oldEmail = fields.get(email);
                w.fields().forEach((k, v) -> {
                    if (v.isEmpty()) {
                        fields.remove(k);
                    } else {
                        fields.put(k, v);
                    }
                });
                index(id, oldEmail, fields.get(email));
                touch(id);
                results.add(WriteResult.updated(w.key(), id));
            }
        }
        return results;
    }
}
