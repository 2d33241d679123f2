package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.actionkit.UserRecords.UserWithPhones;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ActionKitJson;
import org.crmsync.kit.PagedChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/**
 * Users changed since the cursor, a page of up to 100 in memory at a time (the kit's {@link
 * PagedChangeStream}), each page's phones read with it in as few calls as the phone schema allows
 * ({@link UserPhones}).
 *
 * <p>The order is {@code updated_at} then {@code id} ({@code order_by} twice), and the cursor is the last
 * record's {@code (updated_at, id)}, so users sharing one {@code updated_at} (a mass update; ActionKit
 * stamps users to the second) are never skipped, however a page or a run's end cuts them: like
 * Salesforce's {@code (SystemModstamp, Id)}. Each page is asked for from the last record read, not
 * from the {@code _offset} in {@code meta.next}: an offset counts positions in a result that changes
 * while it is read (a user read on page 1 and updated meanwhile moves to the end, and every later user
 * one place up, so the first user of page 2 would be skipped). {@code meta.next} still says whether
 * another page follows. A page is {@code updated_at__gte=T} (users at {@code T} already read dropped),
 * and when a whole page shares one {@code updated_at} the rest of that second is read by {@code
 * updated_at=T&id__gt=N} until it ends, then {@code updated_at__gt=T}. The filters and orderings are
 * ones the preflight found in the user schema.
 *
 * <p>Cursor: {@code updated_at} (as ActionKit prints it, UTC), {@code id}, and {@code pass} ({@code open}
 * inside a pass, {@code closed} on the pass's last record). A new pass starts the policy's look-back
 * before a closed cursor (without one, right after its record); an open one resumes right after its
 * record, with the rest of its second.
 */
final class UserChangeStream extends PagedChangeStream<UserWithPhones> {
    static final String UPDATED_AT = "updated_at";
    static final String ID = "id";
    static final String PASS = "pass";
    static final String OPEN = "open";
    static final String CLOSED = "closed";

    private final ActionKitClient client;
    private final UserPhones phones;
    private final String phoneSource;
    /** Where the next page starts: after (updatedAt, lastId); none before the first record of a first pass. */
    private Instant updatedAt;
    private long lastId;
    /** Reading the rest of one second ({@code updated_at=T&id__gt=N}). */
    private boolean tie;
    /** After a tie: the next page is {@code updated_at__gt=T}. */
    private boolean afterTie;

    UserChangeStream(ActionKitClient client, UserPhones phones, String phoneSource, SyncCursor since,
            Duration lookback) {
        this.client = client;
        this.phones = phones;
        this.phoneSource = phoneSource;
        Optional<Instant> t = since.get(UPDATED_AT).flatMap(ActionKitJson::time);
        boolean open = since.get(PASS).filter(OPEN::equals).isPresent();
        if (t.isEmpty()) {
            this.updatedAt = null;
            this.lastId = -1;
        } else if (open) {
            // A pass cut off (the quota, a failure) resumes right after its last record: the rest of its second
            // first, then later seconds; no page of records already applied is read again.
            this.updatedAt = t.get();
            this.lastId = since.get(ID).map(UserChangeStream::number).orElse(-1L);
            this.tie = true;
        } else if (lookback.isZero()) {
            this.updatedAt = t.get();
            this.lastId = since.get(ID).map(UserChangeStream::number).orElse(-1L);
        } else {
            this.updatedAt = t.get().minus(lookback);
            this.lastId = -1;
        }
    }

    @Override
    protected Page<UserWithPhones> fetch() {
        List<Map.Entry<String, String>> q = new ArrayList<>();
        if (tie) {
            q.add(Map.entry("updated_at", ActionKitJson.format(updatedAt)));
            q.add(Map.entry("id__gt", Long.toString(lastId)));
            q.add(Map.entry("order_by", "id"));
        } else {
            if (updatedAt != null) {
                q.add(Map.entry(afterTie ? "updated_at__gt" : "updated_at__gte", ActionKitJson.format(updatedAt)));
            }
            q.add(Map.entry("order_by", "updated_at"));
            q.add(Map.entry("order_by", "id"));
        }
        q.add(Map.entry("_limit", Integer.toString(ActionKitClient.MAX_PAGE)));
        ActionKitClient.Collection page = client.collection(client.collectionUrl("user", q),
                "changed users (GET /rest/v1/user/)");
        List<JsonNode> fresh = new ArrayList<>();
        Instant first = null;
        Instant last = null;
        long lastOfPage = -1;
        for (JsonNode u : page.objects()) {
            Instant t = ActionKitJson.time(ActionKitJson.text(u, "updated_at")).orElseThrow(() -> new CrmSyncException(
                    ErrorCode.UNEXPECTED_RESPONSE, "ActionKit user " + ActionKitJson.text(u, "id") + " has no readable"
                            + " updated_at; changed users cannot be read in order"));
            long id = number(ActionKitJson.text(u, "id"));
            first = first == null ? t : first;
            last = t;
            lastOfPage = id;
            boolean seen = updatedAt != null && !tie && !afterTie
                    && (t.isBefore(updatedAt) || t.equals(updatedAt) && id <= lastId);
            if (!seen) {
                fresh.add(u);
            }
        }
        boolean more = page.next().isPresent();
        Ending ending;
        if (tie) {
            if (lastOfPage >= 0) {
                lastId = lastOfPage;
            }
            // The rest of the second read: on to later seconds, which may hold nothing.
            ending = more ? Ending.MORE : Ending.UNKNOWN;
            if (!more) {
                tie = false;
                afterTie = true;
            }
        } else {
            ending = more ? Ending.MORE : Ending.LAST;
            if (last != null) {
                afterTie = false;
                tie = more && first.equals(last); // a whole page in one second: read the rest of it by id
                updatedAt = last;
                lastId = lastOfPage;
            }
        }
        Map<String, List<JsonNode>> byUser = phones.of(fresh);
        List<UserWithPhones> items = new ArrayList<>(fresh.size());
        for (JsonNode u : fresh) {
            items.add(new UserWithPhones(u, byUser.getOrDefault(ActionKitJson.text(u, "id"), List.of())));
        }
        return new Page<>(items, ending);
    }

    @Override
    protected RemoteRecord toRecord(UserWithPhones u, boolean lastOfPass) {
        String t = ActionKitJson.format(u.updatedAt().orElseThrow());
        SyncCursor cursor = new SyncCursor(Map.of(UPDATED_AT, t, ID, u.id(), PASS, lastOfPass ? CLOSED : OPEN));
        return UserRecords.record(u, phoneSource, cursor);
    }

    private static long number(String id) {
        try {
            return Long.parseLong(id.trim());
        } catch (NumberFormatException e) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActionKit user id '" + id + "' is not a number");
        }
    }
}
