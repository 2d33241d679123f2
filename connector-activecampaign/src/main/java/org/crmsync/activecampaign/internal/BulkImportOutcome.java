package org.crmsync.activecampaign.internal;

import java.util.Map;
import java.util.Optional;

/**
 * The answer to {@code POST import/bulk_import}: queued with a batch id; refused as a whole (HTTP 400,
 * nothing queued) with the reasons ActiveCampaign gives per contact (by position in the request); or
 * refused for the importer's own rate limit (HTTP 400 {@code "Rate limit exceeded."}, nothing queued),
 * to be sent again later.
 */
public record BulkImportOutcome(Optional<String> batchId, String message, Map<Integer, String> rejectedContacts,
        boolean rateLimited) {
    public BulkImportOutcome {
        rejectedContacts = Map.copyOf(rejectedContacts);
    }

    static BulkImportOutcome queued(String batchId, String message) {
        return new BulkImportOutcome(Optional.of(batchId), message, Map.of(), false);
    }

    static BulkImportOutcome refused(String message, Map<Integer, String> rejectedContacts) {
        return new BulkImportOutcome(Optional.empty(), message, rejectedContacts, false);
    }

    static BulkImportOutcome rateLimited(String message) {
        return new BulkImportOutcome(Optional.empty(), message, Map.of(), true);
    }
}
