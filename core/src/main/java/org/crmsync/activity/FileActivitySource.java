package org.crmsync.activity;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;

/**
 * An {@link ActivitySource} over a file of JSON lines, one activity per line, for tests and tools:
 * {@code {"key":"call-1","type":"call","localId":"p1","occurredAt":"2026-05-01T14:00:00Z","fields":{...}}}.
 * An activity's sequence is its line number, so appending keeps every sequence; a blank line is no
 * activity. The file is read from the start on each {@link #since} call, streamed, never whole in
 * memory. A line that cannot be read fails the call with the file and line named (never its values).
 * Keys are not checked for uniqueness here: the application gives each activity its own.
 */
public final class FileActivitySource implements ActivitySource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    private FileActivitySource(Path file) {
        this.file = file;
    }

    /** A source over {@code file}, which need not exist yet (then it has no activity). */
    public static FileActivitySource open(Path file) {
        return new FileActivitySource(requireNonNull(file, "file"));
    }

    /** Appends an activity as the file's next line and returns it with that line's sequence. */
    public synchronized Activity append(Activity activity) {
        requireNonNull(activity, "activity");
        long line = lines() + 1;
        ObjectNode node = JSON.createObjectNode().put("key", activity.key()).put("type", activity.type())
                .put("localId", activity.localId()).put("occurredAt", activity.occurredAt().toString());
        ObjectNode fields = node.putObject("fields");
        activity.fields().forEach(fields::put);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            w.write(JSON.writeValueAsString(node));
            w.write('\n');
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not append an activity to " + file + ": "
                    + e.getMessage(), e);
        }
        return activity.atSequence(line);
    }

    @Override
    public synchronized List<Activity> since(long afterSequence, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        List<Activity> found = new ArrayList<>();
        if (!Files.exists(file)) {
            return found;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long line = 0;
            for (String text = in.readLine(); text != null && found.size() < limit; text = in.readLine()) {
                line++;
                if (line > afterSequence && !text.isBlank()) {
                    found.add(parse(text, line));
                }
            }
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not read activities from " + file + ": "
                    + e.getMessage(), e);
        }
        return found;
    }

    @Override
    public synchronized long lastSequence() {
        return lines();
    }

    private long lines() {
        if (!Files.exists(file)) {
            return 0;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long n = 0;
            while (in.readLine() != null) {
                n++;
            }
            return n;
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not read activities from " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private Activity parse(String text, long line) {
        String where = file + ":" + line;
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CrmSyncException(ErrorCode.INVALID_INPUT, where + ": not a JSON object (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + " of the line)");
        }
        if (!node.isObject()) {
            throw new CrmSyncException(ErrorCode.INVALID_INPUT, where + ": not a JSON object");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        JsonNode f = node.path("fields");
        if (!f.isMissingNode() && !f.isObject()) {
            throw new CrmSyncException(ErrorCode.INVALID_INPUT, where + ": \"fields\" must be an object");
        }
        for (Map.Entry<String, JsonNode> e : f.properties()) {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new CrmSyncException(ErrorCode.INVALID_INPUT, where + ": field \"" + e.getKey()
                        + "\" must be a string or a number");
            }
            fields.put(e.getKey(), e.getValue().asText());
        }
        try {
            return new Activity(text(node, "key", where), text(node, "type", where), text(node, "localId", where),
                    Instant.parse(text(node, "occurredAt", where)), fields, line);
        } catch (DateTimeParseException e) {
            throw new CrmSyncException(ErrorCode.INVALID_INPUT, where + ": \"occurredAt\" is not an ISO-8601 instant"
                    + " such as 2026-05-01T14:00:00Z");
        } catch (IllegalArgumentException e) {
            throw new CrmSyncException(ErrorCode.INVALID_INPUT, where + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode node, String name, String where) {
        JsonNode v = node.get(name);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new CrmSyncException(ErrorCode.INVALID_INPUT, where + ": \"" + name + "\" is missing or not a string");
        }
        return v.asText();
    }

    @Override
    public String toString() {
        return "FileActivitySource[" + file + "]";
    }
}
