package org.crmsync.kit;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.RemoteRecord;

/**
 * A batch look-up's answer, {@code ConnectorSession.lookup}'s shape: the CRM records found for the whole
 * batch (one query for all, as a CRM with a batch read allows) handed to every request each may match,
 * keyed by the request's key. A record may go to several requests, and every request has an entry, so
 * the engine sees every candidate and decides (several, a conflict, or one).
 */
public final class LookupCandidates {
    private LookupCandidates() {
    }

    /**
     * @param found the records the batch's queries returned, as the CRM answers them
     * @param mayMatch whether a record may be the person of a request (any key of its match keys)
     * @param toRecord a found record as the engine reads it
     */
    public static <C> Map<String, List<RemoteRecord>> assign(List<LookupRequest> requests, Collection<C> found,
            BiPredicate<LookupRequest, C> mayMatch, Function<C, RemoteRecord> toRecord) {
        requireNonNull(requests, "requests");
        requireNonNull(found, "found");
        Map<String, List<RemoteRecord>> byKey = new LinkedHashMap<>();
        Map<C, RemoteRecord> converted = new LinkedHashMap<>();
        for (LookupRequest request : requests) {
            List<RemoteRecord> candidates = new ArrayList<>();
            for (C c : found) {
                if (mayMatch.test(request, c)) {
                    candidates.add(converted.computeIfAbsent(c, toRecord));
                }
            }
            byKey.put(request.key(), candidates);
        }
        return byKey;
    }
}
