package org.crmsync.activecampaign;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crmsync.activecampaign.internal.AcContact;
import org.crmsync.activecampaign.internal.ContactData;
import org.crmsync.activecampaign.internal.Exclusion;

/**
 * What one run knows of the account, kept from its first batch to its last, so that no call is made
 * twice in a run for what it already knows.
 *
 * <ul>
 *   <li><b>Who is in the account</b>: every contact the run has read, by email and by local ID (an index
 *       of ids, not whole contacts, so a scanned account of 100,000 contacts costs a few megabytes).
 *       When the run has read the whole account ({@link #whole}), an email the index does not hold
 *       belongs to no contact; otherwise only the emails and local IDs it looked up are known. What the
 *       run creates and changes is indexed as it happens, and in a whole account what is new since the
 *       highest id the run has seen is read after each batch's writes, which keeps the index whole.
 *   <li><b>Contacts as they are now</b>: whole contacts (values and list statuses) only of those read in
 *       the current batch ({@link #current}). A write decides consent (who is subscribed, who is
 *       unsubscribed) and which values differ from a copy no older than its own batch, as it did when
 *       each batch looked everything up afresh; a copy from an earlier batch is read again by id (100 per
 *       call).
 *   <li>The account's exclusion list, read at most once.
 * </ul>
 *
 * <p>Used by one thread at a time (the connector serves one call of a session at a time).
 */
final class RunKnowledge {
    /** An account larger than this is never read whole: its index would not stay small. */
    static final long MAX_WHOLE_ACCOUNT = 100_000;

    private record Keys(String email, Optional<String> localId) {
    }

    private final Optional<String> localIdFieldId;
    private final Map<String, Keys> keysById = new HashMap<>();
    private final Map<String, Set<String>> idsByEmail = new HashMap<>();
    private final Map<String, Set<String>> idsByLocalId = new HashMap<>();
    private final Set<String> emailsLookedUp = new HashSet<>();
    private final Set<String> localIdsLookedUp = new HashSet<>();
    private final Map<String, AcContact> current = new LinkedHashMap<>();
    private boolean whole;
    private long seenThrough;
    private long seenCount;
    private long accountSize = -1;
    private long lookupsSpent;
    private Optional<List<Exclusion>> exclusions = Optional.empty();

    RunKnowledge(Optional<String> localIdFieldId) {
        this.localIdFieldId = localIdFieldId;
    }

    // ----- batches -----

    /** A new batch begins: whole contacts read before it are no longer current. */
    void newBatch() {
        current.clear();
    }

    /** A contact as read just now: indexed, and current for this batch. */
    void read(AcContact c) {
        index(c);
        current.put(c.id(), c);
    }

    /** A contact seen in passing (a scan): indexed only. */
    void saw(AcContact c) {
        index(c);
    }

    /** The contact as read in this batch, if it was. */
    Optional<AcContact> current(String id) {
        return Optional.ofNullable(current.get(id));
    }

    Collection<AcContact> currentContacts() {
        return current.values();
    }

    // ----- who is in the account -----

    /** Whether the run knows every contact with this email (normalized). */
    boolean knowsEmail(String email) {
        return whole || emailsLookedUp.contains(email);
    }

    /** Whether the run knows every contact with this local ID. */
    boolean knowsLocalId(String localId) {
        return whole || localIdsLookedUp.contains(localId);
    }

    /** The emails (normalized) whose contacts were looked up: the run now knows them all. */
    void lookedUpEmail(String email) {
        emailsLookedUp.add(email);
    }

    void lookedUpLocalId(String localId) {
        localIdsLookedUp.add(localId);
    }

    /** Ids of the contacts the run knows with this email (normalized). */
    Set<String> idsWithEmail(String email) {
        return Set.copyOf(idsByEmail.getOrDefault(email, Set.of()));
    }

    Set<String> idsWithLocalId(String localId) {
        return Set.copyOf(idsByLocalId.getOrDefault(localId.trim(), Set.of()));
    }

    /** The whole account has been read (and the run keeps up with what is new since). */
    void readWhole(long contacts) {
        whole = true;
        accountSize = contacts;
    }

    boolean whole() {
        return whole;
    }

    /**
     * The run has seen every contact with an id up to this one, reading the account in id order (a scan,
     * then what is new since); contacts with higher ids are new to it.
     */
    long seenThrough() {
        return seenThrough;
    }

    /** How many contacts that read in id order has seen. */
    long seenCount() {
        return seenCount;
    }

    void seenThrough(long id, long contacts) {
        seenThrough = Math.max(seenThrough, id);
        seenCount = contacts;
    }

    long accountSize() {
        return accountSize;
    }

    void accountSize(long contacts) {
        accountSize = contacts;
    }

    /** Look-ups of one email or one local ID made so far this run, each one call at least. */
    long lookupsSpent() {
        return lookupsSpent;
    }

    void spentLookups(long calls) {
        lookupsSpent += calls;
    }

    // ----- what the run itself changes -----

    /**
     * The run wrote {@code data} (and, when given, list status {@code status} on {@code listId}) to
     * contact {@code id}: its current copy, if any, and the index follow.
     */
    void wrote(String id, ContactData data, String listId, Optional<String> status) {
        AcContact before = current.get(id);
        if (before == null) {
            Keys keys = keysById.get(id);
            if (keys != null && data.email() != null && !data.email().isBlank()) {
                reindex(id, new Keys(ActiveCampaignConnector.normalEmail(data.email()),
                        localIdOf(data).or(keys::localId)));
            }
            return;
        }
        Map<String, String> values = new LinkedHashMap<>(before.fieldValues());
        values.putAll(data.customByFieldId());
        Map<String, String> lists = new LinkedHashMap<>(before.listStatuses());
        status.ifPresent(s -> lists.put(listId, s));
        read(new AcContact(id, orElse(data.email(), before.email()), orElse(data.firstName(), before.firstName()),
                orElse(data.lastName(), before.lastName()), orElse(data.phone(), before.phone()), before.updated(),
                values, lists));
    }

    // ----- the exclusion list -----

    Optional<List<Exclusion>> exclusions() {
        return exclusions;
    }

    void exclusions(List<Exclusion> entries) {
        exclusions = Optional.of(List.copyOf(entries));
    }

    // ----- internals -----

    private void index(AcContact c) {
        String localId = localIdFieldId.map(c.fieldValues()::get).map(String::trim).filter(v -> !v.isEmpty())
                .orElse(null);
        reindex(c.id(), new Keys(ActiveCampaignConnector.normalEmail(c.email()), Optional.ofNullable(localId)));
    }

    private void reindex(String id, Keys keys) {
        Keys before = keysById.put(id, keys);
        if (before != null) {
            remove(idsByEmail, before.email(), id);
            before.localId().ifPresent(l -> remove(idsByLocalId, l, id));
        }
        if (!keys.email().isEmpty()) {
            idsByEmail.computeIfAbsent(keys.email(), e -> new HashSet<>(2)).add(id);
        }
        keys.localId().ifPresent(l -> idsByLocalId.computeIfAbsent(l, k -> new HashSet<>(2)).add(id));
    }

    private Optional<String> localIdOf(ContactData data) {
        return localIdFieldId.map(data.customByFieldId()::get).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static void remove(Map<String, Set<String>> index, String key, String id) {
        Set<String> ids = index.get(key);
        if (ids != null) {
            ids.remove(id);
            if (ids.isEmpty()) {
                index.remove(key);
            }
        }
    }

    private static String orElse(String written, String before) {
        return written == null ? before : written;
    }
}
