package org.crmsync.engine;

import org.crmsync.report.RecordResult;
import org.crmsync.report.SyncReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adds each record's result to the report and tells the listener; a failing listener is only logged. */
final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final SyncReport.Builder report;
    private final SyncListener listener;
    private long read;
    private long done;

    Progress(SyncReport.Builder report, SyncListener listener) {
        this.report = report;
        this.listener = listener;
    }

    void read() {
        read++;
        report.recordsRead(read);
    }

    void done(RecordResult result) {
        done++;
        report.add(result);
        try {
            listener.onRecord(result);
            listener.onProgress(read, done);
        } catch (RuntimeException e) {
            LOG.warn("sync listener failed; the run goes on", e);
        }
    }

    long recordsRead() {
        return read;
    }
}
