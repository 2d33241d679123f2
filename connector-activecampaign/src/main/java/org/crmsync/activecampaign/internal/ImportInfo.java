package org.crmsync.activecampaign.internal;

import java.util.List;
import java.util.Locale;

/**
 * {@code GET import/info?batchId=}: the import's status, the contacts it imported ({@code success},
 * contact ids in the reference's example) and those it could not (the {@code failure} list holds their
 * email addresses).
 *
 * <p>The documented statuses (https://developers.activecampaign.com/reference/bulk-import-status-info):
 * {@code waiting} (received, no uuid yet), {@code claimed} (uuid, not started), {@code active} (being
 * processed), {@code completed}, {@code failed} ("can no longer be retried") and {@code interrupted}
 * ("interrupted due to failures and will not be retried"). Called less than a second after the import
 * was queued, {@code status} may be the boolean {@code false} (read here as the text {@code "false"}):
 * no status yet.
 */
public record ImportInfo(String status, List<String> success, List<String> failure) {
    public ImportInfo {
        status = status == null ? "" : status;
        success = success == null ? List.of() : List.copyOf(success);
        failure = failure == null ? List.of() : List.copyOf(failure);
    }

    public boolean completed() {
        return normalized().equals("completed");
    }

    /**
     * The importer gave the batch up: {@code failed} ("can no longer be retried") or {@code interrupted}
     * ("will not be retried"), the two end statuses the reference names besides {@code completed}.
     * ActiveCampaign will not change such a status, so waiting on is pointless.
     */
    public boolean ended() {
        String s = normalized();
        return s.equals("failed") || s.equals("interrupted");
    }

    /**
     * Not finished yet: {@code waiting}, {@code claimed}, {@code active}, no status yet ({@code false} or
     * blank). A status the reference does not name is not guessed at: it is waited on like these, within
     * {@code import.timeout}, after which the batch is left for the next run.
     */
    public boolean inProgress() {
        return !completed() && !ended();
    }

    private String normalized() {
        return status.trim().toLowerCase(Locale.ROOT);
    }
}
