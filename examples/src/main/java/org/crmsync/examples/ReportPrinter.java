package org.crmsync.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.crmsync.engine.SyncListener;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.SyncReport;

/** Prints synchronization reports for people and writes them as JSON and CSV files. */
final class ReportPrinter {
    private static final int SHOWN = 6;
    private static final int AT_LEAST = 3;

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

    /** Says which run starts, so the progress lines that follow have a heading. */
    void starting(String title) {
        out.println();
        out.println("-> " + title);
    }

    /** Counts by outcome, then the first skipped and failed rows with their reasons. */
    void print(String title, SyncReport report) {
        out.println();
        out.println("== " + title + " ==");
        out.printf(Locale.ROOT, "  status %s, %,d records read, %,d API calls, %.1f s%s%n", report.status(),
                report.recordsRead(), report.apiCallsUsed(),
                Duration.between(report.startedAt(), report.finishedAt()).toMillis() / 1000.0,
                report.dryRun() ? ", dry run: nothing written" : "");
        StringBuilder counts = new StringBuilder("  ");
        report.outcomeCounts().forEach((o, n) -> counts.append(String.format(Locale.ROOT, "%s %,d   ",
                o.name().toLowerCase(Locale.ROOT).replace('_', ' '), n)));
        out.println(counts.toString().stripTrailing());
        if (report.reasonCounts().keySet().stream().anyMatch(r -> r != Reason.NONE)) {
            StringBuilder reasons = new StringBuilder("  reasons:");
            report.reasonCounts().forEach((r, n) -> {
                if (r != Reason.NONE) {
                    reasons.append(' ').append(r).append('=').append(n);
                }
            });
            out.println(reasons);
        }
        if (!report.message().isEmpty()) {
            out.println("  " + report.message());
        }
        printFirst("skipped", report.rows(Outcome.SKIPPED), report.count(Outcome.SKIPPED));
        printFirst("failed", report.rows(Outcome.FAILED), report.count(Outcome.FAILED));
        printFirst("deferred", report.rows(Outcome.DEFERRED), report.count(Outcome.DEFERRED));
    }

    /**
     * Up to {@value #SHOWN} rows: the first of each reason and of each kind of message (the message with
     * its ids and numbers left out), then the next rows in report order, at least {@value #AT_LEAST}.
     */
    private void printFirst(String what, List<RecordResult> rows, long total) {
        if (rows.isEmpty()) {
            return;
        }
        Map<Reason, RecordResult> byReason = new LinkedHashMap<>();
        Map<String, RecordResult> byKind = new LinkedHashMap<>();
        for (RecordResult r : rows) {
            byReason.putIfAbsent(r.reason(), r);
            byKind.putIfAbsent(r.reason() + r.message().replaceAll("[0-9]", ""), r);
        }
        Set<RecordResult> shown = new LinkedHashSet<>(byReason.values());
        for (RecordResult r : byKind.values()) {
            if (shown.size() < SHOWN) {
                shown.add(r);
            }
        }
        for (int i = 0; i < rows.size() && shown.size() < AT_LEAST; i++) {
            shown.add(rows.get(i));
        }
        out.printf(Locale.ROOT, "  first %s records (of %,d):%n", what, total);
        rows.stream().filter(shown::contains).limit(SHOWN).forEach(r -> out.printf(Locale.ROOT,
                "    %-22s %-26s %s%n", r.key(), r.reason(), r.message()));
    }

    /**
     * Writes {@code <name>.json} (counts, and the rows the report kept) into {@code folder}, next to
     * {@code <name>.csv}, which the run's report sink wrote with every row; returns the JSON path.
     */
    Path write(SyncReport report, Path folder, String name) {
        try {
            Files.createDirectories(folder);
            Path json = folder.resolve(name + ".json");
            Path csv = folder.resolve(name + ".csv");
            try (Writer w = Files.newBufferedWriter(json, StandardCharsets.UTF_8)) {
                report.writeJson(w);
            }
            out.println("  full report: " + csv + " (every row) and " + json.getFileName() + " (counts and the"
                    + " first " + report.rows().size() + " rows)");
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the report into " + folder, e);
        }
    }
}
