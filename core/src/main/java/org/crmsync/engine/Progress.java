package org.crmsync.engine;

import org.crmsync.report.RecordResult;
import org.crmsync.report.ReportSink;
import org.crmsync.report.SyncReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adds each record's result to the report and tells the listener; a failing listener is only logged. */
final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final SyncReport.Builder report;
    private final SyncListener listener;
    private final ReportSink sink;
    private boolean sinkFailed;
    private long read;
    private long done;

    Progress(SyncReport.Builder report, SyncListener listener, ReportSink sink) {
        this.report = report;
        this.listener = listener;
        this.sink = sink;
    }

    void read() {
        read++;
        report.recordsRead(read);
    }

    void done(RecordResult result) {
        done++;
        report.add(result);
        if (!sinkFailed) {
            try {
                sink.accept(result);
            } catch (RuntimeException e) {
                // The run goes on (its counts and sample are still right); the sink's rows stop here.
                sinkFailed = true;
                LOG.warn("the report sink failed after {} rows; the rest of this run's rows are only counted: {}",
                        done - 1, e.toString());
            }
        }
        try {
            listener.onRecord(result);
            listener.onProgress(read, done);
        } catch (RuntimeException e) {
            LOG.warn("sync listener failed; the run goes on", e);
        }
    }

    void flushSink() {
        if (!sinkFailed) {
            try {
                sink.flush();
            } catch (RuntimeException e) {
                LOG.warn("the report sink failed when the run ended: {}", e.toString());
            }
        }
    }

    long recordsRead() {
        return read;
    }
}
