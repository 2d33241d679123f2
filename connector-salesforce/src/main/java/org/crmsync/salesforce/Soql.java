package org.crmsync.salesforce;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Writing SOQL safely: string literals escaped, datetime literals in the form SOQL accepts, field
 * names checked, so no value from a profile or a mapping can change a query's meaning.
 */
final class Soql {
    /** A field API name, optionally through relationships ({@code Account.Name}). */
    private static final Pattern FIELD = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*");

    private Soql() {
    }

    static boolean isFieldName(String name) {
        return name != null && FIELD.matcher(name).matches();
    }

    static String field(String name) {
        if (!isFieldName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a Salesforce field API name");
        }
        return name;
    }

    /**
     * A quoted string literal. Single quote and backslash are reserved and must be escaped with a
     * backslash; line breaks, tabs and double quotes have escapes of their own (SOQL reference, "Quoted
     * String Escape Sequences",
     * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm).
     */
    static String quote(String value) {
        requireNonNull(value, "value");
        StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\': out.append("\\\\"); break;
                case '\'': out.append("\\'"); break;
                case '"': out.append("\\\""); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                case '\b': out.append("\\b"); break;
                case '\f': out.append("\\f"); break;
                default: out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    /**
     * A dateTime literal: unquoted, UTC, {@code 2025-03-04T17:22:05Z} (SOQL "Date Formats and Date
     * Literals"). Quoting it is an INVALID_FIELD error, and a {@code +hh:mm} offset would need its
     * {@code +} encoded, so we always write {@code Z}. Seconds only: SystemModstamp values carry
     * {@code .000} milliseconds, so nothing is lost.
     */
    static String dateTime(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** {@code field IN ('a', 'b')}. */
    static String in(String field, Collection<String> values) {
        StringJoiner list = new StringJoiner(", ", field(field) + " IN (", ")");
        values.forEach(v -> list.add(quote(v)));
        return list.toString();
    }

    /** {@code SELECT a, b FROM type [WHERE ...] [ORDER BY ...]}. */
    static String select(List<String> fields, String sObjectType, String where, String orderBy) {
        StringJoiner list = new StringJoiner(", ");
        fields.forEach(f -> list.add(field(f)));
        StringBuilder soql = new StringBuilder("SELECT ").append(list).append(" FROM ").append(field(sObjectType));
        if (where != null && !where.isEmpty()) {
            soql.append(" WHERE ").append(where);
        }
        if (orderBy != null && !orderBy.isEmpty()) {
            soql.append(" ORDER BY ").append(orderBy);
        }
        return soql.toString();
    }
}
