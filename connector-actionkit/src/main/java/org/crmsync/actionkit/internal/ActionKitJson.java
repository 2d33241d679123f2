package org.crmsync.actionkit.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading ActionKit's JSON: values as text, ids out of resource URIs, timestamps. ActionKit prints times
 * without a zone ({@code "2018-06-07T15:59:20"}, actions with microseconds {@code
 * "2016-01-21T16:20:09.624679"}); the upload documentation asks for times in UTC, and the connector
 * reads and writes them as UTC.
 */
public final class ActionKitJson {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final Pattern LAST_ID = Pattern.compile("/([0-9]+)/?(\\?.*)?$");
    /** How ActionKit prints a time, and how the connector writes one in a filter: seconds, no zone. */
    public static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private ActionKitJson() {
    }

    /** A field as text: a string, a number, a boolean; empty for null, absent, objects and arrays. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? "" : v.asText();
    }

    /** A value as text; an array of values joined with commas (a multiple-choice user field). */
    public static String valueText(JsonNode v) {
        if (v == null || v.isNull()) {
            return "";
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(x.asText()));
            return String.join(",", parts);
        }
        return v.isContainerNode() ? "" : v.asText();
    }

    /**
     * The id at the end of a resource URI or a {@code Location}: {@code "/rest/v1/user/350568/"} and
     * {@code "https://act.example.org/rest/v1/user/350568/"} give {@code 350568} (hotgluexyz/target-actionkit
     * reads it the same way, {@code user.split("/")[-2]}).
     */
    public static Optional<String> idOf(String uri) {
        if (uri == null) {
            return Optional.empty();
        }
        Matcher m = LAST_ID.matcher(uri.trim());
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** An ActionKit timestamp as an instant (UTC), to the second; empty when absent or unreadable. */
    public static Optional<Instant> time(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            if (v.endsWith("Z") || v.matches(".*[+-][0-9]{2}:[0-9]{2}$")) {
                return Optional.of(java.time.OffsetDateTime.parse(v).toInstant().truncatedTo(ChronoUnit.SECONDS));
            }
            return Optional.of(LocalDateTime.parse(v).toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** An instant as ActionKit prints one, for a filter value. */
    public static String format(Instant t) {
        return SECONDS.format(LocalDateTime.ofInstant(t.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC));
    }
}
