package org.crmsync.engine;

import org.crmsync.report.RecordResult;
import org.crmsync.report.SyncReport;

/**
 * Follows a run as it goes: progress, each record's result, and the end of the run. Called on the
 * thread that runs the sync; keep the methods quick. Exceptions thrown by a listener are logged and
 * ignored, so a broken progress bar never stops a sync.
 */
public interface SyncListener {
    /** A listener that does nothing. */
    SyncListener NONE = new SyncListener() {
    };

    /** Records read from the source so far and records whose handling is finished. */
    default void onProgress(long recordsRead, long recordsDone) {
    }

    default void onRecord(RecordResult result) {
    }

    default void onRunFinished(SyncReport report) {
    }
}
