package org.crmsync.activecampaign;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.activecampaign.internal.AcContact;
import org.crmsync.activecampaign.internal.ActiveCampaignClient;
import org.crmsync.activecampaign.internal.ContactPage;
import org.crmsync.mapping.RecordSource;
import org.crmsync.kit.PagedChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contacts changed since a cursor, one page of 100 at a time: {@code GET
 * contacts?filters[updated_after]=…&orders[id]=ASC&id_greater=…&limit=100&include=fieldValues,contactLists}.
 *
 * <p>ActiveCampaign's pagination guide recommends {@code orders[id]=ASC} with {@code id_greater} over
 * deep offsets for contacts (offset paging on a changing set skips and repeats). Paging stops on an
 * empty page, or when a page holds all {@code meta.total} contacts that match the query as sent. What
 * comes back is checked, since ActiveCampaign silently ignores parameters it does not apply: ids must
 * rise and exceed {@code id_greater} (else paging would never end, so the read fails), and each contact's
 * {@code udate} must be after the cursor; contacts updated earlier are dropped here, and a page full of
 * them is logged as the filter not working.
 *
 * <p>Cursor: {@code since} (read contacts updated after it); while a scan is under way also {@code
 * afterId} (the scan continues after that id) and {@code next} (the {@code since} of the following
 * scan: when this scan started, less a margin for clock skew). The last contact of a scan carries
 * {@code since=next}, found by reading one page ahead.
 */
final class ContactChanges extends PagedChangeStream<AcContact> {
    private static final Logger LOG = LoggerFactory.getLogger(ContactChanges.class);
    static final String SINCE = "since";
    static final String AFTER_ID = "afterId";
    static final String NEXT = "next";
    /** Margin for the difference between our clock and ActiveCampaign's. */
    static final Duration CLOCK_SKEW_MARGIN = Duration.ofMinutes(5);

    private final ActiveCampaignClient client;
    private final Function<AcContact, Map<String, String>> fields;
    private final Optional<String> sinceInCursor;
    private final Optional<Instant> since;
    private final Instant next;
    private long afterId;
    private boolean warned;

    ContactChanges(ActiveCampaignClient client, Function<AcContact, Map<String, String>> fields, SyncCursor cursor,
            Instant now, Duration lookback) {
        this.client = client;
        this.fields = fields;
        Duration back = lookback.isNegative() ? Duration.ZERO : lookback;
        this.sinceInCursor = cursor.get(SINCE);
        this.since = sinceInCursor.map(Instant::parse).map(s -> s.minus(back));
        this.afterId = cursor.get(AFTER_ID).map(Long::parseLong).orElse(0L);
        this.next = cursor.get(NEXT).map(Instant::parse).orElse(now.minus(CLOCK_SKEW_MARGIN));
    }

    @Override
    protected RemoteRecord toRecord(AcContact contact, boolean lastOfPass) {
        SyncCursor cursor;
        if (lastOfPass) {
            cursor = SyncCursor.of(SINCE, next.toString());
        } else {
            Map<String, String> values = new LinkedHashMap<>();
            sinceInCursor.ifPresent(s -> values.put(SINCE, s));
            values.put(AFTER_ID, contact.id());
            values.put(NEXT, next.toString());
            cursor = new SyncCursor(values);
        }
        return RemoteRecord.of(contact.id(), fields.apply(contact), RecordSource.API, cursor,
                "ActiveCampaign contact " + contact.id());
    }

    @Override
    protected Page<AcContact> fetch() {
        Map<String, String> query = new LinkedHashMap<>();
        // filters[updated_after] is typed "date" in the v3 reference (list-all-contacts), and the account's
        // time zone applies; asking from the day before and filtering on udate here is exact either way.
        since.ifPresent(s -> query.put("filters[updated_after]",
                LocalDate.ofInstant(s, ZoneOffset.UTC).minusDays(1).toString()));
        query.put("orders[id]", "ASC");
        if (afterId > 0) {
            query.put("id_greater", Long.toString(afterId));
        }
        query.put("limit", Integer.toString(ActiveCampaignClient.MAX_PAGE));
        ContactPage page = client.contacts(query, List.of());
        List<AcContact> contacts = page.contacts();
        if (contacts.isEmpty()) {
            return new Page<>(List.of(), true);
        }
        List<AcContact> changed = new ArrayList<>();
        long previous = afterId;
        int older = 0;
        for (AcContact c : contacts) {
            long id = parseId(c.id());
            if (id <= previous) {
                throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActiveCampaign answered GET contacts"
                        + " with id_greater=" + afterId + "&orders[id]=ASC with contact " + c.id() + " out of order"
                        + " (after " + previous + "): it ignored the paging parameters, so reading on would repeat"
                        + " or skip contacts");
            }
            previous = id;
            if (since.isPresent() && c.updated().isPresent() && !c.updated().get().isAfter(since.get())) {
                older++; // updated before the cursor: read again because the filter is coarse (or ignored)
                continue;
            }
            changed.add(c);
        }
        afterId = previous;
        if (since.isPresent() && older == contacts.size() && !warned && contacts.stream().anyMatch(c -> c.updated()
                .filter(u -> u.isBefore(since.get().minus(Duration.ofDays(2)))).isPresent())) {
            warned = true;
            LOG.warn("ActiveCampaign seems to ignore filters[updated_after]: a page of contacts all updated well"
                    + " before {}; reading on and keeping only contacts updated after it", since.get());
        }
        // meta.total counts the contacts after id_greater: a page that holds them all is the last.
        return new Page<>(changed, page.total() >= 0 && contacts.size() >= page.total());
    }

    private static long parseId(String id) {
        try {
            return Long.parseLong(id.trim());
        } catch (NumberFormatException e) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActiveCampaign contact id '" + id
                    + "' is not a number", e);
        }
    }

}
