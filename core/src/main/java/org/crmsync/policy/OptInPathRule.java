package org.crmsync.policy;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Sends people new to the application to an opt-in path by a CRM field: the Salesforce and Luminate
 * seeds advise "mapping specific ... groups to different opt-in paths". The field is the CRM's (an
 * API field name, or the CSV heading when reading an export file), and may be a group or list
 * membership a connector exposes as a field; a record matches when that field holds one of
 * {@code values}, ignoring case. For a field holding several values separated by commas or
 * semicolons (groups, interests), any one of them counts.
 *
 * @param remoteField the CRM field, as the connector names it in its records
 * @param values the values that send someone to {@code optInPath}
 * @param optInPath the application's opt-in path
 */
public record OptInPathRule(String remoteField, Set<String> values, String optInPath) {
    public OptInPathRule {
        requireNonNull(remoteField, "remoteField");
        requireNonNull(values, "values");
        requireNonNull(optInPath, "optInPath");
        Set<String> normal = new LinkedHashSet<>();
        values.forEach(v -> normal.add(normal(requireNonNull(v, "values[]"))));
        normal.remove("");
        if (remoteField.isBlank() || normal.isEmpty() || optInPath.isBlank()) {
            throw new IllegalArgumentException("an opt-in path rule needs a CRM field, at least one value and a path"
                    + " (field '" + remoteField + "', path '" + optInPath + "')");
        }
        values = Set.copyOf(normal);
    }

    /** Whether a CRM record with these fields (by the connector's names) goes to this rule's path. */
    public boolean matches(Map<String, String> remoteFields) {
        String value = remoteFields.get(remoteField);
        if (value == null || value.isBlank()) {
            return false;
        }
        for (String part : value.split("[,;]")) {
            if (values.contains(normal(part))) {
                return true;
            }
        }
        return false;
    }

    private static String normal(String v) {
        return v.trim().toLowerCase(Locale.ROOT);
    }
}
