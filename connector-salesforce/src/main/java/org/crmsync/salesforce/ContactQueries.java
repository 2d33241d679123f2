package org.crmsync.salesforce;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import org.crmsync.spi.SyncCursor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The SOQL statements of the connector: changed contacts since a cursor, and batch lookups. */
final class ContactQueries {
    private static final Logger LOG = LoggerFactory.getLogger(ContactQueries.class);
    static final String ORDER = "SystemModstamp ASC, Id ASC";

    private ContactQueries() {
    }

    /**
     * Contacts changed since {@code since}, oldest first. {@code SystemModstamp} changes on every edit,
     * by users and by automation, and is indexed; many records can share one value (a mass update), so
     * the cursor is the pair (SystemModstamp, Id), ordered on both, and the next read starts after that
     * pair: {@code (SystemModstamp = T AND Id > 'last') OR SystemModstamp > T}. Nothing that shares the
     * last timestamp is skipped, whatever a page or a run's end cut. Sources: reference Part A5; {@code
     * Id >} comparisons are what Salesforce's own PK-chunking guidance uses
     * (https://developer.salesforce.com/blogs/developer-relations/2015/11/pk-chunking-techniques-massive-orgs.html).
     *
     * <p>With a look-back, a new pass (the previous read reached the end of its query) starts that much
     * before the cursor instead, {@code SystemModstamp >= T - lookback}: records committed late, after
     * the cursor passed their timestamp, are read again (applying a record twice changes nothing; on late
     * commits see {@link SalesforceConnector#DEFAULT_INBOUND_LOOKBACK}). A pass cut off before its end (the
     * quota, a failure: the cursor says {@link ContactRecords#CURSOR_PASS} open) resumes after the
     * compound cursor, with no look-back: were it to look back again, a run cut off inside a busy
     * timestamp would re-read the same records forever. What such a resumed read may pass over (a late
     * commit stamped before the cut) the next new pass reads: it starts a look-back before the pass's
     * {@link ContactRecords#CURSOR_RECHECK} mark when that is earlier than the cursor.
     */
    static String changes(List<String> fields, SyncCursor since, Duration lookback) {
        Optional<Instant> stamp = since.get(ContactRecords.CURSOR_MODSTAMP).flatMap(ContactQueries::instant);
        Optional<String> id = since.get(ContactRecords.CURSOR_ID).filter(SalesforceIds::isId);
        String where = "";
        if (stamp.isPresent()) {
            if (!lookback.isZero() && !ContactRecords.midPass(since)) {
                Instant from = ContactRecords.recheck(since).filter(stamp.get()::isAfter).orElse(stamp.get());
                where = "SystemModstamp >= " + Soql.dateTime(from.minus(lookback));
            } else if (id.isPresent()) {
                String t = Soql.dateTime(stamp.get());
                where = "(SystemModstamp = " + t + " AND Id > " + Soql.quote(id.get()) + ") OR SystemModstamp > " + t;
            } else {
                where = "SystemModstamp >= " + Soql.dateTime(stamp.get());
            }
        }
        return Soql.select(fields, ContactRecords.TYPE, where, ORDER);
    }

    private static Optional<Instant> instant(String value) {
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            LOG.warn("ignoring an unreadable Salesforce cursor timestamp '{}'; reading from the start", value);
            return Optional.empty();
        }
    }

    /**
     * One or more {@code SELECT ... WHERE f1 IN (...) OR f2 IN (...)} statements that together ask for
     * every term of every request, each at most {@code maxLength} characters (SOQL takes statements of up
     * to 100,000, {@link org.crmsync.salesforce.internal.SalesforceClient#MAX_SOQL_CHARS}): a batch whose
     * IN lists do not fit is split between requests into several statements. Each request's terms stay
     * in one statement. The length is counted as terms are added, so a batch costs one pass over its
     * terms, not a statement built per request.
     *
     * @param terms per request: API field name to the values to look for
     */
    static List<String> lookups(List<String> fields, List<Map<String, List<String>>> terms, int maxLength) {
        List<String> queries = new ArrayList<>();
        int base = Soql.select(fields, ContactRecords.TYPE, "", "").length() + " WHERE ".length();
        Map<String, Set<String>> group = new LinkedHashMap<>();
        int length = base;
        for (Map<String, List<String>> request : terms) {
            if (request.values().stream().allMatch(List::isEmpty)) {
                continue;
            }
            int added = added(group, request);
            if (!group.isEmpty() && length + added > maxLength) {
                queries.add(statement(fields, group, length));
                group = new LinkedHashMap<>();
                length = base;
                added = added(group, request);
            }
            add(group, request);
            length += added;
        }
        if (!group.isEmpty()) {
            queries.add(statement(fields, group, length));
        }
        return queries;
    }

    /** How many characters {@code request}'s new terms add to the statement of {@code group}. */
    private static int added(Map<String, Set<String>> group, Map<String, List<String>> request) {
        int added = 0;
        int fieldsAfter = group.size();
        for (Map.Entry<String, List<String>> e : request.entrySet()) {
            Set<String> values = group.get(e.getKey());
            Set<String> fresh = new LinkedHashSet<>();
            for (String v : e.getValue()) {
                if (values == null || !values.contains(v)) {
                    fresh.add(v);
                }
            }
            if (fresh.isEmpty()) {
                continue;
            }
            boolean newField = values == null;
            if (newField) {
                // " OR " before every IN list but the first, then "Field IN (" and ")"
                added += (fieldsAfter++ > 0 ? " OR ".length() : 0) + Soql.field(e.getKey()).length()
                        + " IN (".length() + ")".length();
            }
            int i = 0;
            for (String v : fresh) {
                added += Soql.quote(v).length() + (newField && i++ == 0 ? 0 : ", ".length());
            }
        }
        return added;
    }

    private static void add(Map<String, Set<String>> group, Map<String, List<String>> request) {
        request.forEach((field, values) -> {
            if (!values.isEmpty()) {
                group.computeIfAbsent(field, k -> new LinkedHashSet<>()).addAll(values);
            }
        });
    }

    private static String statement(List<String> fields, Map<String, Set<String>> group, int counted) {
        String statement = statement(fields, group);
        if (statement.length() != counted) {
            throw new IllegalStateException("a look-up statement of " + statement.length()
                    + " characters was counted as " + counted);
        }
        return statement;
    }

    private static String statement(List<String> fields, Map<String, Set<String>> group) {
        StringJoiner where = new StringJoiner(" OR ");
        group.forEach((field, values) -> where.add(Soql.in(field, values)));
        return Soql.select(fields, ContactRecords.TYPE, where.toString(), "");
    }
}
