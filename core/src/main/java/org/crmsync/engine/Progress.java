package org.crmsync.engine;

import java.util.List;
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
    private final List<ReportSink> sinks;
    private final boolean[] sinkFailed;
    private long read;
    private long done;

    /** @param sinks the job's sink and the state store's; one failing does not stop the others */
    Progress(SyncReport.Builder report, SyncListener listener, List<ReportSink> sinks) {
        this.report = report;
        this.listener = listener;
        this.sinks = List.copyOf(sinks);
        this.sinkFailed = new boolean[sinks.size()];
    }

    void read() {
        read++;
        report.recordsRead(read);
    }

    void done(RecordResult result) {
        done++;
        report.add(result);
        for (int i = 0; i < sinks.size(); i++) {
            if (!sinkFailed[i]) {
                try {
                    sinks.get(i).accept(result);
                } catch (RuntimeException e) {
                    // The run goes on (its counts and sample are still right); the sink's rows stop here.
                    sinkFailed[i] = true;
                    LOG.warn("a report sink failed after {} rows; the rest of this run's rows are only counted: {}",
                            done - 1, e.toString());
                }
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
        for (int i = 0; i < sinks.size(); i++) {
            if (!sinkFailed[i]) {
                try {
                    sinks.get(i).flush();
                } catch (RuntimeException e) {
                    LOG.warn("a report sink failed when the run ended: {}", e.toString());
                }
            }
        }
    }

    long recordsRead() {
        return read;
    }
}
