package org.crmsync.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;

/**
 * A {@link ProfileStore} in memory, for tests, examples and applications that load their profiles
 * from elsewhere. Thread-safe: every method takes one lock.
 *
 * <p>Profiles are indexed by local id, constituent ID, phone number (exact E.164) and email (lower
 * case), so lookups do not scan. A profile created without a local id gets {@code "p1"},
 * {@code "p2"}, ... in creation order (numbers already taken by given ids are skipped). Lookups
 * return profiles in creation order; {@link #all()} streams a snapshot.
 *
 * <p>The change log keeps every entry; its sequences are {@code 1, 2, 3, ...} without gaps.
 */
public final class InMemoryProfileStore implements ProfileStore {
    static final String GENERATED_ID_PREFIX = "p";

    private final Object lock = new Object();
    private final Clock clock;
    private final Map<String, Profile> byLocalId = new LinkedHashMap<>();
    private final Index byConstituentId = new Index();
    private final Index byPhone = new Index();
    private final Index byEmail = new Index();
    /** The field names of the last profile created, shared by the next creates with the same names. */
    private Set<String> lastCreatedFields = Set.of();
    private final Map<String, String> optInPaths = new HashMap<>();
    /** Entry {@code i} has sequence {@code compacted + i + 1}. */
    private final List<LocalChange> changes = new ArrayList<>();
    /** How many entries were dropped from the head of the log (see {@link #compactChangesBefore}). */
    private long compacted;
    /** The number in the last generated local id. */
    private long lastIdNumber;
    /** Bumped by every mutation, so a file-backed store knows whether it has something to write. */
    private long version;

    /** A store whose last-modified instants come from the system clock, in UTC. */
    public InMemoryProfileStore() {
        this(Clock.systemUTC());
    }

    /** A store whose last-modified instants come from {@code clock}. */
    public InMemoryProfileStore(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public Optional<Profile> findByLocalId(String localId) {
        requireNonNull(localId, "localId");
        synchronized (lock) {
            return Optional.ofNullable(byLocalId.get(localId));
        }
    }

    @Override
    public List<Profile> findByConstituentId(String constituentId) {
        requireNonNull(constituentId, "constituentId");
        synchronized (lock) {
            return lookup(byConstituentId, constituentId.trim());
        }
    }

    @Override
    public List<Profile> findByPhone(String e164) {
        requireNonNull(e164, "e164");
        synchronized (lock) {
            return lookup(byPhone, e164.trim());
        }
    }

    @Override
    public List<Profile> findByEmail(String email) {
        requireNonNull(email, "email");
        synchronized (lock) {
            return lookup(byEmail, emailKey(email));
        }
    }

    @Override
    public List<Profile> findByNameAndEmail(String firstName, String lastName, String email) {
        requireNonNull(firstName, "firstName");
        requireNonNull(lastName, "lastName");
        requireNonNull(email, "email");
        synchronized (lock) {
            return lookup(byEmail, emailKey(email)).stream()
                    .filter(p -> sameIgnoringCase(p.firstName(), firstName) && sameIgnoringCase(p.lastName(), lastName))
                    .toList();
        }
    }

    @Override
    public Profile create(Profile profile, Optional<String> optInPath, String origin) {
        requireNonNull(profile, "profile");
        requireNonNull(optInPath, "optInPath");
        requireNonNull(origin, "origin");
        synchronized (lock) {
            String localId;
            if (profile.localId().isPresent()) {
                localId = profile.localId().get();
                if (byLocalId.containsKey(localId)) {
                    throw new CrmSyncException(ErrorCode.INVALID_INPUT, "a profile with local id " + localId
                            + " already exists; update it instead of creating it again");
                }
            } else {
                do {
                    lastIdNumber++;
                    localId = GENERATED_ID_PREFIX + lastIdNumber;
                } while (byLocalId.containsKey(localId));
            }
            Profile stored = profile.withLocalId(localId, clock.instant());
            put(stored);
            optInPath.filter(p -> !p.isBlank()).ifPresent(p -> optInPaths.put(stored.localId().orElseThrow(), p));
            if (!hasFieldsNamed(stored, lastCreatedFields)) {
                lastCreatedFields = Set.copyOf(stored.asFieldMap().keySet());
            }
            // An immutable set goes into the change as it is (Set.copyOf keeps it): creates share it.
            appendChange(localId, origin, lastCreatedFields, true);
            return stored;
        }
    }

    @Override
    public Profile update(Profile profile, String origin) {
        requireNonNull(profile, "profile");
        requireNonNull(origin, "origin");
        String localId = profile.localId().orElseThrow(() -> new CrmSyncException(ErrorCode.INVALID_INPUT,
                "cannot update a profile without a local id; create it first"));
        synchronized (lock) {
            Profile old = byLocalId.get(localId);
            if (old == null) {
                throw new CrmSyncException(ErrorCode.INVALID_INPUT, "no profile with local id " + localId);
            }
            Set<String> changed = changedFields(old.asFieldMap(), profile.asFieldMap());
            if (changed.isEmpty()) {
                return old;
            }
            Profile stored = profile.toBuilder().lastModified(clock.instant()).build();
            unindex(old);
            put(stored);
            appendChange(localId, origin, changed, false);
            return stored;
        }
    }

    @Override
    public List<LocalChange> changesSince(long afterSequence, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1; got " + limit);
        }
        synchronized (lock) {
            // Sequences are contiguous, so the first entry to return is found by arithmetic.
            long start = Math.max(afterSequence, compacted) - compacted;
            if (start >= changes.size()) {
                return List.of();
            }
            int from = (int) start;
            int to = (int) Math.min(changes.size(), start + limit);
            return List.copyOf(changes.subList(from, to));
        }
    }

    @Override
    public long lastSequence() {
        synchronized (lock) {
            return compacted + changes.size();
        }
    }

    @Override
    public Stream<Profile> all() {
        synchronized (lock) {
            return List.copyOf(byLocalId.values()).stream();
        }
    }

    /** How many profiles the store holds. */
    public int size() {
        synchronized (lock) {
            return byLocalId.size();
        }
    }

    /**
     * The opt-in path the profile was created with, if any. The store only records it: sending the
     * path's welcome message is the application's business.
     */
    public Optional<String> optInPath(String localId) {
        requireNonNull(localId, "localId");
        synchronized (lock) {
            return Optional.ofNullable(optInPaths.get(localId));
        }
    }

    /** Drops change-log entries with a sequence below {@code sequence}; see {@link FileProfileStore}. */
    void compactChangesBefore(long sequence) {
        synchronized (lock) {
            long drop = Math.min(sequence - 1, compacted + changes.size()) - compacted;
            if (drop <= 0) {
                return;
            }
            changes.subList(0, (int) drop).clear();
            compacted += drop;
            version++;
        }
    }

    long version() {
        synchronized (lock) {
            return version;
        }
    }

    // ---- persistence, for FileProfileStore ----

    /** The whole store as one JSON document. */
    ObjectNode toJson() {
        synchronized (lock) {
            ObjectNode root = StoreFiles.JSON.createObjectNode();
            root.put("format", 1);
            root.put("lastGeneratedIdNumber", lastIdNumber);
            root.put("compactedChanges", compacted);
            ArrayNode profiles = root.putArray("profiles");
            for (Profile p : byLocalId.values()) {
                ObjectNode node = profiles.addObject();
                ObjectNode fields = node.putObject("fields");
                p.asFieldMap().forEach(fields::put);
                p.lastModified().ifPresent(t -> node.put("lastModified", t.toString()));
                String path = optInPaths.get(p.localId().orElseThrow());
                if (path != null) {
                    node.put("optInPath", path);
                }
            }
            ArrayNode log = root.putArray("changes");
            for (LocalChange c : changes) {
                ObjectNode node = log.addObject();
                node.put("sequence", c.sequence());
                node.put("localId", c.localId());
                node.put("origin", c.origin());
                ArrayNode fields = node.putArray("changedFields");
                new TreeSet<>(c.changedFields()).forEach(fields::add);
                node.put("created", c.created());
            }
            return root;
        }
    }

    /**
     * Rebuilds a store {@link #toJson()} wrote.
     *
     * @throws IllegalStateException or IllegalArgumentException saying what is wrong with the document
     */
    static InMemoryProfileStore fromJson(JsonNode root, Clock clock) {
        long format = StoreFiles.number(root, "format");
        if (format != 1) {
            throw new IllegalStateException("unsupported format " + format + " (this version reads format 1)");
        }
        InMemoryProfileStore store = new InMemoryProfileStore(clock);
        store.lastIdNumber = StoreFiles.number(root, "lastGeneratedIdNumber");
        store.compacted = StoreFiles.number(root, "compactedChanges");
        int index = 0;
        for (JsonNode node : StoreFiles.array(root, "profiles")) {
            String where = "profiles[" + index++ + "]";
            Profile.Builder b = Profile.builder();
            for (Map.Entry<String, JsonNode> field : StoreFiles.object(node, "fields").properties()) {
                b.set(field.getKey(), StoreFiles.textValue(field.getValue(), where + "." + field.getKey()));
            }
            if (node.has("lastModified")) {
                b.lastModified(Instant.parse(StoreFiles.text(node, "lastModified")));
            }
            Profile p = b.build();
            String localId = p.localId().orElseThrow(() -> new IllegalStateException(where + " has no local_id"));
            if (store.byLocalId.containsKey(localId)) {
                throw new IllegalStateException(where + " repeats local id " + localId);
            }
            store.put(p);
            if (node.has("optInPath")) {
                store.optInPaths.put(localId, StoreFiles.text(node, "optInPath"));
            }
        }
        for (JsonNode node : StoreFiles.array(root, "changes")) {
            long expected = store.compacted + store.changes.size() + 1;
            long sequence = StoreFiles.number(node, "sequence");
            if (sequence != expected) {
                throw new IllegalStateException("change log entry " + sequence + " found where " + expected
                        + " was expected");
            }
            Set<String> fields = new LinkedHashSet<>();
            for (JsonNode f : StoreFiles.array(node, "changedFields")) {
                fields.add(StoreFiles.textValue(f, "change " + sequence + " field name"));
            }
            store.changes.add(new LocalChange(sequence, StoreFiles.text(node, "localId"), StoreFiles.text(node, "origin"),
                    fields, StoreFiles.bool(node, "created")));
        }
        return store;
    }

    // ---- internals; callers hold the lock ----

    private static final StandardField[] STANDARD_FIELDS = StandardField.values();

    /** Whether the profile's fields with a value are exactly {@code names}, without building its field map. */
    private static boolean hasFieldsNamed(Profile p, Set<String> names) {
        if (names == null) {
            return false;
        }
        int count = 0;
        for (StandardField f : STANDARD_FIELDS) {
            if (p.has(f)) {
                count++;
                if (!names.contains(f.fieldName())) {
                    return false;
                }
            }
        }
        for (String extra : p.extraFields().keySet()) {
            count++;
            if (!names.contains(extra)) {
                return false;
            }
        }
        return count == names.size();
    }

    private List<Profile> lookup(Index index, String key) {
        List<String> ids = index.ids(key);
        if (ids.size() <= 1) { // almost always: no list to build
            return ids.isEmpty() ? List.of() : List.of(byLocalId.get(ids.get(0)));
        }
        List<Profile> found = new ArrayList<>(ids.size());
        for (String id : ids) {
            found.add(byLocalId.get(id));
        }
        return Collections.unmodifiableList(found);
    }

    private void put(Profile p) {
        String id = p.localId().orElseThrow();
        byLocalId.put(id, p); // an update keeps the profile's place: LinkedHashMap keeps a key's position
        p.constituentId().ifPresent(v -> byConstituentId.add(v, id));
        p.phoneNumber().ifPresent(v -> byPhone.add(v, id));
        p.email().ifPresent(v -> byEmail.add(emailKey(v), id));
    }

    private void unindex(Profile p) {
        String id = p.localId().orElseThrow();
        p.constituentId().ifPresent(v -> byConstituentId.remove(v, id));
        p.phoneNumber().ifPresent(v -> byPhone.remove(v, id));
        p.email().ifPresent(v -> byEmail.remove(emailKey(v), id));
    }

    /**
     * Local ids by a key, in the order they were added. Most keys have one profile, held as the id
     * itself; a set is made only for a key that several profiles share, so a store of a million
     * profiles does not hold three million sets.
     */
    private static final class Index {
        private final Map<String, Object> ids = new HashMap<>();

        List<String> ids(String key) {
            Object found = ids.get(key);
            if (found == null) {
                return List.of();
            }
            if (found instanceof String id) {
                return List.of(id);
            }
            @SuppressWarnings("unchecked")
            Set<String> several = (Set<String>) found;
            return List.copyOf(several);
        }

        void add(String key, String id) {
            ids.merge(key, id, (was, one) -> {
                if (was instanceof String first) {
                    if (first.equals(one)) {
                        return first;
                    }
                    Set<String> several = new LinkedHashSet<>();
                    several.add(first);
                    several.add((String) one);
                    return several;
                }
                @SuppressWarnings("unchecked")
                Set<String> several = (Set<String>) was;
                several.add((String) one);
                return several;
            });
        }

        void remove(String key, String id) {
            Object found = ids.get(key);
            if (found instanceof String one) {
                if (one.equals(id)) {
                    ids.remove(key);
                }
            } else if (found != null) {
                @SuppressWarnings("unchecked")
                Set<String> several = (Set<String>) found;
                several.remove(id);
                if (several.size() == 1) {
                    ids.put(key, several.iterator().next());
                }
            }
        }
    }

    private void appendChange(String localId, String origin, Set<String> fields, boolean created) {
        changes.add(new LocalChange(compacted + changes.size() + 1, localId, origin, fields, created));
        version++;
    }

    /** Names of the fields whose value was set, changed or cleared. */
    private static Set<String> changedFields(Map<String, String> before, Map<String, String> after) {
        Set<String> changed = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                changed.add(e.getKey());
            }
        }
        for (String name : before.keySet()) {
            if (!after.containsKey(name)) {
                changed.add(name);
            }
        }
        return changed;
    }

    private static String emailKey(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    private static boolean sameIgnoringCase(Optional<String> stored, String given) {
        return stored.orElse("").toLowerCase(Locale.ROOT).equals(given.trim().toLowerCase(Locale.ROOT));
    }
}
