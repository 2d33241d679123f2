package org.crmsync.engine;

import java.util.Optional;
import java.util.function.Supplier;
import org.crmsync.SyncDirection;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;

/** Shorthands for report rows. */
final class Outcomes {
    private Outcomes() {
    }

    static RecordResult row(String key, SyncDirection direction, Outcome outcome, Reason reason, String message,
            Optional<String> localId, Optional<String> remoteId) {
        return new RecordResult(key, direction, outcome, reason, message, localId, remoteId);
    }

    /** A row whose message is built only if someone reads it (a sink writing rows, the report's sample). */
    static RecordResult lazyRow(String key, SyncDirection direction, Outcome outcome, Reason reason,
            Supplier<String> message, Optional<String> localId, Optional<String> remoteId) {
        return RecordResult.lazy(key, direction, outcome, reason, message, localId, remoteId);
    }

    static RecordResult skipped(String key, SyncDirection direction, Reason reason, String message,
            Optional<String> localId, Optional<String> remoteId) {
        return row(key, direction, Outcome.SKIPPED, reason, message, localId, remoteId);
    }
}
