package org.crmsync.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.crmsync.engine.SyncListener;
import org.crmsync.report.Outcome;
import org.crmsync.report.RecordResult;
import org.crmsync.report.SyncReport;

/** Prints synchronization reports for people and writes them as JSON and CSV files. */
final class ReportPrinter {
    private final PrintStream out;

    ReportPrinter(PrintStream out) {
        this.out = out;
    }

    /** A listener that prints a progress line every {@code every} records. */
    SyncListener progress(String label, long every) {
        return new SyncListener() {
            @Override
            public void onProgress(long recordsRead, long recordsDone) {
                if (recordsDone % every == 0) {
                    out.printf(Locale.ROOT, "  %s: %,d records handled%n", label, recordsDone);
                }
            }
        };
    }

    /** Counts by outcome, then the first skipped and failed rows with their reasons. */
    void print(String title, SyncReport report) {
        out.println();
        out.println("== " + title + " ==");
        out.printf(Locale.ROOT, "  status %s, %,d records read, %,d API calls, %s%n", report.status(),
                report.recordsRead(), report.apiCallsUsed(), report.dryRun() ? "dry run" : "applied");
        StringBuilder counts = new StringBuilder("  ");
        report.outcomeCounts().forEach((o, n) -> counts.append(String.format(Locale.ROOT, "%s %,d   ",
                o.name().toLowerCase(Locale.ROOT).replace('_', ' '), n)));
        out.println(counts.toString().stripTrailing());
        if (!report.reasonCounts().isEmpty()) {
            StringBuilder reasons = new StringBuilder("  reasons:");
            report.reasonCounts().forEach((r, n) -> reasons.append(' ').append(r).append('=').append(n));
            out.println(reasons);
        }
        if (!report.message().isEmpty()) {
            out.println("  " + report.message());
        }
        printFirst("skipped", report.rows(Outcome.SKIPPED));
        printFirst("failed", report.rows(Outcome.FAILED));
        printFirst("deferred", report.rows(Outcome.DEFERRED));
    }

    private void printFirst(String what, List<RecordResult> rows) {
        if (rows.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "  first %s records (of %,d):%n", what, rows.size());
        rows.stream().limit(5).forEach(r -> out.printf(Locale.ROOT, "    %-18s %-24s %s%n", r.key(), r.reason(),
                r.message()));
    }

    /** Writes {@code <name>.json} and {@code <name>.csv} into {@code folder}; returns the JSON path. */
    Path write(SyncReport report, Path folder, String name) {
        try {
            Files.createDirectories(folder);
            Path json = folder.resolve(name + ".json");
            Path csv = folder.resolve(name + ".csv");
            try (Writer w = Files.newBufferedWriter(json, StandardCharsets.UTF_8)) {
                report.writeJson(w);
            }
            try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                report.writeCsv(w);
            }
            out.println("  full report: " + json + " and " + csv.getFileName());
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the report into " + folder, e);
        }
    }
}
