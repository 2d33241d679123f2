package org.crmsync.activecampaign.internal;

import java.util.List;

/**
 * {@code GET import/info?batchId=}: the import's status ({@code completed} when done), the contacts it
 * imported ({@code success}, contact ids in the reference's example) and those it could not (the
 * {@code failure} list holds their email addresses).
 */
public record ImportInfo(String status, List<String> success, List<String> failure) {
    public ImportInfo {
        status = status == null ? "" : status;
        success = success == null ? List.of() : List.copyOf(success);
        failure = failure == null ? List.of() : List.copyOf(failure);
    }

    public boolean completed() {
        return "completed".equalsIgnoreCase(status.trim());
    }
}
