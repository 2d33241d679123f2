package org.crmsync.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.spi.SyncCursor;

/**
 * The synchronization report of one run: how it ended, counts by outcome and reason, one row per
 * record, the API calls it used, and the cursor before and after. Readable as JSON
 * ({@link #writeJson}) and CSV ({@link #writeCsv}).
 */
public final class SyncReport {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final String jobId;
    private final String connectorId;
    private final SyncDirection direction;
    private final boolean dryRun;
    private final Instant startedAt;
    private final Instant finishedAt;
    private final SyncCursor cursorBefore;
    private final SyncCursor cursorAfter;
    private final long recordsRead;
    private final long apiCallsUsed;
    private final RunStatus status;
    private final String message;
    private final Instant retryAfter;
    private final List<String> preflightProblems;
    private final List<RecordResult> rows;
    private final long rowCount;
    private final Map<Outcome, Long> outcomeCounts;
    private final Map<Reason, Long> reasonCounts;

    private SyncReport(Builder b) {
        this.jobId = b.jobId;
        this.connectorId = b.connectorId;
        this.direction = b.direction;
        this.dryRun = b.dryRun;
        this.startedAt = b.startedAt;
        this.finishedAt = requireNonNull(b.finishedAt, "finishedAt");
        this.cursorBefore = b.cursorBefore;
        this.cursorAfter = b.cursorAfter;
        this.recordsRead = b.recordsRead;
        this.apiCallsUsed = b.apiCallsUsed;
        this.status = b.status;
        this.message = b.message;
        this.retryAfter = b.retryAfter;
        this.preflightProblems = List.copyOf(b.preflightProblems);
        this.rows = Collections.unmodifiableList(new ArrayList<>(b.rows));
        this.rowCount = b.rowCount;
        this.outcomeCounts = Collections.unmodifiableMap(new EnumMap<>(b.outcomeCounts));
        this.reasonCounts = Collections.unmodifiableMap(new EnumMap<>(b.reasonCounts));
    }

    /** Rows a report keeps unless the job says otherwise; the rest are counted, and go to the job's sink. */
    public static final int DEFAULT_ROWS_KEPT = 1_000;

    private static Map<Outcome, Long> zeroCounts() {
        Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            counts.put(o, 0L);
        }
        return counts;
    }

    /** For the engine (and tests): a report being filled in during a run. */
    public static Builder builder(String jobId, String connectorId, SyncDirection direction, Instant startedAt) {
        return new Builder(jobId, connectorId, direction, startedAt);
    }

    public String jobId() {
        return jobId;
    }

    public String connectorId() {
        return connectorId;
    }

    public SyncDirection direction() {
        return direction;
    }

    /** A dry run wrote nothing to either side; its rows are the actions it would have taken. */
    public boolean dryRun() {
        return dryRun;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    public SyncCursor cursorBefore() {
        return cursorBefore;
    }

    public SyncCursor cursorAfter() {
        return cursorAfter;
    }

    /** Records read from the source (CRM changes inbound, local changes outbound). */
    public long recordsRead() {
        return recordsRead;
    }

    /** API calls this run made, counted against the daily quota. */
    public long apiCallsUsed() {
        return apiCallsUsed;
    }

    public RunStatus status() {
        return status;
    }

    /** Why the run ended as it did, when that needs saying; empty otherwise. */
    public String message() {
        return message;
    }

    /**
     * When running the job again is worthwhile, for a run that ended {@link RunStatus#WAITING_FOR_REMOTE};
     * empty otherwise.
     */
    public Optional<Instant> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public List<String> preflightProblems() {
        return preflightProblems;
    }

    /**
     * The rows kept in the report: all of them up to the job's {@code reportRowsKept} (1,000 by default),
     * then the first that many. Every row goes to the job's {@link ReportSink}; counts are over all rows.
     */
    public List<RecordResult> rows() {
        return rows;
    }

    /** Rows of the run in all, kept or not. */
    public long rowCount() {
        return rowCount;
    }

    /** Rows counted but not kept here (see the job's {@link ReportSink} for every row). */
    public long rowsOmitted() {
        return rowCount - rows.size();
    }

    public List<RecordResult> rows(Outcome outcome) {
        return rows.stream().filter(r -> r.outcome() == outcome).toList();
    }

    public long count(Outcome outcome) {
        return outcomeCounts.get(outcome);
    }

    public long count(Reason reason) {
        return reasonCounts.getOrDefault(reason, 0L);
    }

    /** Counts of every outcome, zeros included, in enum order. */
    public Map<Outcome, Long> outcomeCounts() {
        return outcomeCounts;
    }

    /** Counts of the reasons that occurred, in enum order. */
    public Map<Reason, Long> reasonCounts() {
        return reasonCounts;
    }

    /** Finds the row for a key, if the report has one. */
    public Optional<RecordResult> row(String key) {
        return rows.stream().filter(r -> r.key().equals(key)).findFirst();
    }

    /** A one-paragraph summary for logs and consoles. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(jobId).append(' ').append(direction.name().toLowerCase(java.util.Locale.ROOT))
                .append(dryRun ? " (dry run)" : "").append(": ").append(status)
                .append(", ").append(recordsRead).append(" read");
        outcomeCounts.forEach((o, n) -> {
            if (n > 0) {
                s.append(", ").append(n).append(' ').append(o.name().toLowerCase(java.util.Locale.ROOT));
            }
        });
        s.append(", ").append(apiCallsUsed).append(apiCallsUsed == 1 ? " API call" : " API calls");
        if (retryAfter != null) {
            s.append(", run again after ").append(retryAfter);
        }
        if (!message.isEmpty()) {
            s.append(". ").append(message);
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "SyncReport{" + summary() + "}";
    }

    /** Writes the report as one JSON document; the writer is not closed. */
    public void writeJson(Writer out) {
        requireNonNull(out, "out");
        ObjectNode root = JSON.createObjectNode();
        root.put("jobId", jobId);
        root.put("connectorId", connectorId);
        root.put("direction", direction.name());
        root.put("dryRun", dryRun);
        root.put("status", status.name());
        root.put("message", message);
        if (retryAfter != null) {
            root.put("retryAfter", retryAfter.toString());
        }
        root.put("startedAt", startedAt.toString());
        root.put("finishedAt", finishedAt.toString());
        root.set("cursorBefore", JSON.valueToTree(cursorBefore.values()));
        root.set("cursorAfter", JSON.valueToTree(cursorAfter.values()));
        root.put("recordsRead", recordsRead);
        root.put("rowCount", rowCount);
        root.put("apiCallsUsed", apiCallsUsed);
        ObjectNode counts = root.putObject("counts");
        outcomeCounts.forEach((o, n) -> counts.put(o.name(), n));
        ObjectNode reasons = root.putObject("reasons");
        reasonCounts.forEach((r, n) -> reasons.put(r.name(), n));
        ArrayNode problems = root.putArray("preflightProblems");
        preflightProblems.forEach(problems::add);
        ArrayNode rowArray = root.putArray("rows");
        for (RecordResult r : rows) {
            rowArray.add(jsonRow(r));
        }
        try {
            JSON.writeValue(out, root);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the report as JSON", e);
        }
    }

    /** The report as a JSON string. */
    public String toJson() {
        java.io.StringWriter w = new java.io.StringWriter();
        writeJson(w);
        return w.toString();
    }

    /**
     * Writes one CSV row per record (key, direction, outcome, reason, message, local id, CRM id), with
     * a header. Cells that a spreadsheet would run as a formula (starting with {@code = + - @}, tab
     * or carriage return) are prefixed with a single quote.
     */
    public void writeCsv(Writer out) {
        requireNonNull(out, "out");
        try {
            out.write(CSV_HEADER);
            for (RecordResult r : rows) {
                out.write(csvLine(r));
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the report as CSV", e);
        }
    }

    static final String CSV_HEADER = "key,direction,outcome,reason,message,local_id,remote_id\r\n";

    static String csvLine(RecordResult r) {
        return String.join(",", cell(r.key()), cell(r.direction().name()), cell(r.outcome().name()),
                cell(r.reason().name()), cell(r.message()), cell(r.localId().orElse("")),
                cell(r.remoteId().orElse(""))) + "\r\n";
    }

    private static ObjectNode jsonRow(RecordResult r) {
        ObjectNode row = JSON.createObjectNode();
        row.put("key", r.key());
        row.put("direction", r.direction().name());
        row.put("outcome", r.outcome().name());
        row.put("reason", r.reason().name());
        row.put("message", r.message());
        r.localId().ifPresent(v -> row.put("localId", v));
        r.remoteId().ifPresent(v -> row.put("remoteId", v));
        return row;
    }

    static String jsonLine(RecordResult r) {
        try {
            return JSON.writeValueAsString(jsonRow(r));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write a report row as JSON", e);
        }
    }

    static String cell(String value) {
        String v = value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            v = "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    /** Reads a report {@link #writeJson} wrote (the state store keeps the last reports this way). */
    public static SyncReport readJson(Reader in) {
        requireNonNull(in, "in");
        try {
            JsonNode root = JSON.readTree(in);
            Builder b = builder(root.path("jobId").asText(), root.path("connectorId").asText(),
                    SyncDirection.valueOf(root.path("direction").asText()),
                    Instant.parse(root.path("startedAt").asText()));
            b.dryRun(root.path("dryRun").asBoolean());
            b.cursorBefore(cursor(root.path("cursorBefore")));
            b.cursorAfter(cursor(root.path("cursorAfter")));
            b.recordsRead(root.path("recordsRead").asLong());
            b.apiCallsUsed(root.path("apiCallsUsed").asLong());
            b.status(RunStatus.valueOf(root.path("status").asText()), root.path("message").asText());
            text(root, "retryAfter").map(Instant::parse).ifPresent(b::retryAfter);
            root.path("preflightProblems").forEach(p -> b.preflightProblem(p.asText()));
            for (JsonNode row : root.path("rows")) {
                b.add(new RecordResult(row.path("key").asText(), SyncDirection.valueOf(row.path("direction").asText()),
                        Outcome.valueOf(row.path("outcome").asText()), Reason.valueOf(row.path("reason").asText()),
                        row.path("message").asText(), text(row, "localId"), text(row, "remoteId")));
            }
            if (root.path("rowCount").asLong(0) > b.rowCount) {
                // A report that kept a sample: its counts are the saved ones, over every row.
                b.restoreCounts(root.path("rowCount").asLong(), root.path("counts"), root.path("reasons"));
            }
            return b.finish(Instant.parse(root.path("finishedAt").asText()));
        } catch (IOException | RuntimeException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not read a saved sync report: " + e.getMessage(),
                    e);
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
    }

    private static SyncCursor cursor(JsonNode node) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            values.put(e.getKey(), e.getValue().asText());
        }
        return new SyncCursor(values);
    }

    /** Fills in a report during a run; {@link #finish} makes the immutable report. */
    public static final class Builder {
        private final String jobId;
        private final String connectorId;
        private final SyncDirection direction;
        private final Instant startedAt;
        private Instant finishedAt;
        private boolean dryRun;
        private SyncCursor cursorBefore = SyncCursor.start();
        private SyncCursor cursorAfter = SyncCursor.start();
        private long recordsRead;
        private long apiCallsUsed;
        private RunStatus status = RunStatus.COMPLETED;
        private String message = "";
        private Instant retryAfter;
        private final List<String> preflightProblems = new ArrayList<>();
        private final List<RecordResult> rows = new ArrayList<>();
        private int keepRows = DEFAULT_ROWS_KEPT;
        private long rowCount;
        private final Map<Outcome, Long> outcomeCounts = zeroCounts();
        private final Map<Reason, Long> reasonCounts = new EnumMap<>(Reason.class);

        private Builder(String jobId, String connectorId, SyncDirection direction, Instant startedAt) {
            this.jobId = requireNonNull(jobId, "jobId");
            this.connectorId = requireNonNull(connectorId, "connectorId");
            this.direction = requireNonNull(direction, "direction");
            this.startedAt = requireNonNull(startedAt, "startedAt");
        }

        public Builder dryRun(boolean value) {
            this.dryRun = value;
            return this;
        }

        public Builder cursorBefore(SyncCursor value) {
            this.cursorBefore = requireNonNull(value, "cursorBefore");
            return this;
        }

        public Builder cursorAfter(SyncCursor value) {
            this.cursorAfter = requireNonNull(value, "cursorAfter");
            return this;
        }

        public Builder recordsRead(long value) {
            this.recordsRead = value;
            return this;
        }

        public Builder apiCallsUsed(long value) {
            this.apiCallsUsed = value;
            return this;
        }

        public Builder status(RunStatus value, String why) {
            this.status = requireNonNull(value, "status");
            this.message = requireNonNull(why, "why");
            return this;
        }

        public Builder retryAfter(Instant value) {
            this.retryAfter = requireNonNull(value, "retryAfter");
            return this;
        }

        public Builder preflightProblem(String problem) {
            preflightProblems.add(requireNonNull(problem, "problem"));
            return this;
        }

        /** Adds a row to the counts, and keeps it while fewer than {@link #keepRows} are kept. */
        public Builder add(RecordResult row) {
            requireNonNull(row, "row");
            rowCount++;
            outcomeCounts.merge(row.outcome(), 1L, Long::sum);
            reasonCounts.merge(row.reason(), 1L, Long::sum);
            if (rows.size() < keepRows) {
                row.message(); // a kept row holds its text, not what a lazy message would be built from
                rows.add(row);
            }
            return this;
        }

        /** How many rows the report keeps (the first ones); the rest are counted only. Default 1,000. */
        public Builder keepRows(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("keepRows may not be negative: " + value);
            }
            this.keepRows = value;
            return this;
        }

        private void restoreCounts(long total, JsonNode counts, JsonNode reasons) {
            rowCount = total;
            outcomeCounts.clear();
            outcomeCounts.putAll(zeroCounts());
            counts.properties().forEach(e -> outcomeCounts.put(Outcome.valueOf(e.getKey()), e.getValue().asLong()));
            reasonCounts.clear();
            reasons.properties().forEach(e -> reasonCounts.put(Reason.valueOf(e.getKey()), e.getValue().asLong()));
        }

        /** How the run ends, as set so far. */
        public RunStatus status() {
            return status;
        }

        /** The rows added so far. */
        public List<RecordResult> rows() {
            return Collections.unmodifiableList(rows);
        }

        public SyncReport finish(Instant at) {
            this.finishedAt = requireNonNull(at, "at");
            return new SyncReport(this);
        }
    }
}
