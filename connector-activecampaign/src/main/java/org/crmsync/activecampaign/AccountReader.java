package org.crmsync.activecampaign;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.activecampaign.internal.AcContact;
import org.crmsync.activecampaign.internal.ActiveCampaignClient;
import org.crmsync.activecampaign.internal.ContactPage;
import org.crmsync.activecampaign.internal.Exclusion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reads that fill a run's {@link RunKnowledge}, each checked against ActiveCampaign's habit of
 * ignoring parameters it does not apply (an ignored filter answers with the account's first contacts,
 * which would link or duplicate the wrong people): by id ({@code ids[]}, 100 per call), by email (one
 * call per email: the API has no form that takes several), by the local-ID field ({@code fieldValues}),
 * the whole account in id order, and what is new since the highest id the run has seen. Page size 100
 * is ActiveCampaign's maximum (https://developers.activecampaign.com/reference/pagination), and {@code
 * orders[id]=ASC} with {@code id_greater} is how its pagination guide pages through contacts.
 */
final class AccountReader {
    private static final Logger LOG = LoggerFactory.getLogger(AccountReader.class);
    private static final int PAGE = ActiveCampaignClient.MAX_PAGE;

    private final ActiveCampaignClient client;
    private final RunKnowledge known;

    AccountReader(ActiveCampaignClient client, RunKnowledge known) {
        this.client = client;
        this.known = known;
    }

    /** Reads the contacts with these ids that this batch has not read yet; ids ActiveCampaign does not know stay unread. */
    void byIds(Collection<String> ids) {
        byIdsAgain(ids.stream().filter(id -> known.current(id).isEmpty()).toList());
    }

    /** Reads the contacts with these ids now, whether or not this batch read them before (after a write). */
    void byIdsAgain(Collection<String> ids) {
        List<String> wanted = ids.stream().distinct().toList();
        for (int from = 0; from < wanted.size(); from += PAGE) {
            List<String> chunk = wanted.subList(from, Math.min(wanted.size(), from + PAGE));
            ContactPage page = client.contacts(Map.of("limit", Integer.toString(PAGE)), chunk);
            for (AcContact c : page.contacts()) {
                if (!chunk.contains(c.id())) {
                    throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActiveCampaign answered GET"
                            + " contacts?ids[]=… with contact " + c.id() + ", which was not asked for: it ignored"
                            + " the ids[] filter");
                }
                known.read(c);
            }
        }
    }

    /** Looks up the emails (normalized) the run does not know yet, one call each, and reads what they find. */
    void byEmails(Collection<String> emails) {
        for (String email : emails) {
            if (known.knowsEmail(email)) {
                continue;
            }
            ContactPage page = client.contacts(Map.of("email", email, "limit", Integer.toString(PAGE)), List.of());
            known.spentLookups(1);
            for (AcContact c : page.contacts()) {
                if (!ActiveCampaignConnector.normalEmail(c.email()).equals(email)) {
                    throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActiveCampaign answered GET"
                            + " contacts?email=… with a contact of another email address: it ignored the email"
                            + " filter, so contacts cannot be looked up by email");
                }
                known.read(c);
            }
            known.lookedUpEmail(email);
        }
    }

    /** Looks up the local IDs the run does not know yet in custom field {@code fieldId} (one call each, or more past 100 values). */
    void byLocalIds(Collection<String> localIds, String fieldId) {
        List<String> found = new ArrayList<>();
        for (String localId : localIds) {
            if (known.knowsLocalId(localId)) {
                continue;
            }
            found.addAll(client.contactIdsWithFieldValue(fieldId, localId));
            known.spentLookups(1);
            known.lookedUpLocalId(localId);
        }
        byIds(found);
    }

    /**
     * Reads the account in id order, 100 a call, from where an earlier partial read of it stopped: every
     * contact is indexed, and those {@code wanted} are also current. Afterwards the run knows the whole
     * account.
     */
    void whole(Predicate<AcContact> wanted) {
        Set<String> read = new HashSet<>();
        while (!nextPage(wanted, read)) {
            // on to the next page
        }
    }

    /**
     * The first page of the account in id order, which also gives its size ({@code meta.total}): indexed,
     * those {@code wanted} current. Whether the rest is worth reading is the caller's choice; true when
     * this page held the whole account.
     */
    boolean firstPage(Predicate<AcContact> wanted) {
        return nextPage(wanted, new HashSet<>());
    }

    /**
     * Reads these contacts afresh after the run wrote them (created them, or synced them by email): in an
     * account the run knows whole, with everything created since it read the account through (the run's
     * own new contacts and any another integration made meanwhile, which keeps the run's knowledge
     * whole), then by id whatever that did not read. Returns the ids the read of what is new found.
     */
    Set<String> afterWrite(Collection<String> ids) {
        Set<String> read = new LinkedHashSet<>();
        if (known.whole()) {
            while (!nextPage(c -> true, read)) {
                // on to the next page
            }
        }
        byIdsAgain(ids.stream().filter(id -> !read.contains(id)).toList());
        return read;
    }

    /**
     * Reads the next page of the account in id order, after the contacts the run has read through ({@link
     * RunKnowledge#seenThrough}); those {@code current} become current (their ids go to {@code read}),
     * the others are indexed. True when it was the last page: the run then knows the whole account.
     */
    private boolean nextPage(Predicate<AcContact> current, Set<String> read) {
        long seen = known.seenThrough();
        ContactPage page = page(seen);
        for (AcContact c : page.contacts()) {
            seen = Long.parseLong(c.id().trim());
            if (current.test(c)) {
                known.read(c);
                read.add(c.id());
            } else {
                known.saw(c);
            }
        }
        if (known.accountSize() < 0) {
            known.accountSize(Math.max(page.total(), page.contacts().size())); // the first page counts them all
        }
        known.seenThrough(seen, known.seenCount() + page.contacts().size());
        if (last(page)) {
            known.readWhole(known.seenCount());
            return true;
        }
        return false;
    }

    /**
     * The account's exclusion list, read once per run. Empty when it cannot be read (a user without the
     * permission, an account without the endpoint): the contacts it would explain stay unconfirmed.
     */
    List<Exclusion> exclusions() {
        if (known.exclusions().isEmpty()) {
            try {
                known.exclusions(client.exclusions());
            } catch (CrmSyncException e) {
                if (e.code() != ErrorCode.AUTHENTICATION_FAILED && e.code() != ErrorCode.PERMISSION_DENIED
                        && e.httpStatus().orElse(0) != 404) {
                    throw e;
                }
                LOG.info("the ActiveCampaign exclusion list could not be read ({}), so contacts the importer"
                        + " skipped without a word stay unconfirmed", e.code());
                known.exclusions(List.of());
            }
        }
        return known.exclusions().orElseThrow();
    }

    /** {@code GET contacts?orders[id]=ASC&id_greater=…&limit=100}, its ids checked to rise past {@code afterId}. */
    private ContactPage page(long afterId) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("orders[id]", "ASC");
        if (afterId > 0) {
            q.put("id_greater", Long.toString(afterId));
        }
        q.put("limit", Integer.toString(PAGE));
        ContactPage page = client.contacts(q, List.of());
        long previous = afterId;
        for (AcContact c : page.contacts()) {
            long id = Long.parseLong(c.id().trim());
            if (id <= previous) {
                throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActiveCampaign answered GET contacts"
                        + " with id_greater=" + afterId + " with contact " + c.id() + " out of order: it ignored the"
                        + " paging parameters");
            }
            previous = id;
        }
        return page;
    }

    /** {@code meta.total} counts the contacts after {@code id_greater}: a page that holds them all is the last. */
    private static boolean last(ContactPage page) {
        return page.contacts().isEmpty() || (page.total() >= 0 && page.contacts().size() >= page.total());
    }

    static long pages(long contacts) {
        return (Math.max(0, contacts) + PAGE - 1) / PAGE;
    }
}
