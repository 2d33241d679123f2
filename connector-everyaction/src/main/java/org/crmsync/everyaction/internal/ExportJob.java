package org.crmsync.everyaction.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A changed-entity export job as VAN answers {@code POST changedEntityExportJobs} and {@code GET
 * changedEntityExportJobs/{id}}: {@code {"exportJobId":2170181229,"jobStatus":"Complete",
 * "dateChangedFrom":"2021-10-10T00:00:00-04:00","dateChangedTo":"2021-10-11T00:00:00-04:00",
 * "files":[{"downloadUrl":"https://...csv","dateExpired":"2021-11-03T15:27:01.8687339-04:00"}],
 * "message":"Finished processing export job","code":null,"exportedRecordCount":6110}} (parsons
 * test_changed_entities; the vendor's example adds {@code "excludeChangesFromSelf":"true"} as a string).
 */
public record ExportJob(long id, Status status, Optional<Instant> dateChangedFrom, Optional<Instant> dateChangedTo,
        List<File> files, String message, Optional<String> code, long exportedRecordCount,
        Optional<Boolean> excludeChangesFromSelf) {
    /** The documented job statuses (changed-entities-common-models: Pending, InProcess, Error, Complete). */
    public enum Status {
        PENDING, IN_PROCESS, COMPLETE, ERROR, UNKNOWN
    }

    /** One file of the export; links expire ("File download links expire after 20 days"). */
    public record File(String downloadUrl, Optional<Instant> dateExpired) {
        public File {
            requireNonNull(downloadUrl, "downloadUrl");
            requireNonNull(dateExpired, "dateExpired");
        }

        /** Names no URL: a download link is a credential of its own. */
        @Override
        public String toString() {
            return "File{expires " + dateExpired.map(Instant::toString).orElse("?") + "}";
        }
    }

    public ExportJob {
        requireNonNull(status, "status");
        files = List.copyOf(files);
        requireNonNull(message, "message");
    }

    /**
     * Reads a job body.
     *
     * @throws IllegalArgumentException when it has no numeric {@code exportJobId}
     */
    public static ExportJob parse(JsonNode body) {
        JsonNode id = body.path("exportJobId");
        if (!id.canConvertToLong()) {
            throw new IllegalArgumentException("the export job has no numeric exportJobId");
        }
        List<File> files = new ArrayList<>();
        for (JsonNode f : body.path("files").isArray() ? body.path("files") : List.<JsonNode>of()) {
            String url = f.path("downloadUrl").asText("");
            if (!url.isBlank()) {
                files.add(new File(url, instant(f.path("dateExpired"))));
            }
        }
        JsonNode exclude = body.path("excludeChangesFromSelf");
        Optional<Boolean> excludes = exclude.isBoolean() ? Optional.of(exclude.asBoolean())
                : exclude.isTextual() ? Optional.of(exclude.asText().trim().equalsIgnoreCase("true")) : Optional.empty();
        return new ExportJob(id.asLong(), status(body.path("jobStatus").asText("")), instant(body.path("dateChangedFrom")),
                instant(body.path("dateChangedTo")), files, body.path("message").asText(""),
                body.path("code").isNull() || body.path("code").isMissingNode() || body.path("code").asText().isBlank()
                        ? Optional.empty() : Optional.of(body.path("code").asText()),
                body.path("exportedRecordCount").asLong(-1), excludes);
    }

    static Status status(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "pending": return Status.PENDING;
            case "inprocess": case "in process": case "in_process": return Status.IN_PROCESS;
            case "complete": case "completed": return Status.COMPLETE;
            case "error": return Status.ERROR;
            default: return Status.UNKNOWN;
        }
    }

    /** VAN's timestamps: {@code Z} or an offset, with up to seven fraction digits. */
    static Optional<Instant> instant(JsonNode node) {
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(node.asText().trim()).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(Instant.parse(node.asText().trim()));
            } catch (DateTimeParseException again) {
                return Optional.empty();
            }
        }
    }
}
