package org.crmsync.activecampaign.internal;

import java.util.Map;
import java.util.Optional;

/**
 * The answer to {@code POST import/bulk_import}: queued with a batch id, or refused as a whole (HTTP
 * 400, nothing queued) with the reasons ActiveCampaign gives per contact (by position in the request).
 */
public record BulkImportOutcome(Optional<String> batchId, String message, Map<Integer, String> rejectedContacts) {
    public BulkImportOutcome {
        rejectedContacts = Map.copyOf(rejectedContacts);
    }
}
