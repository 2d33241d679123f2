package org.crmsync.mapping;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.crmsync.spi.FieldValues;

/**
 * How local profile fields correspond to a CRM's fields: a list of {@link FieldRule}s, at most one per
 * local field. Every connector ships its default mapping; applications adjust it with
 * {@link #toBuilder()}.
 *
 * <p>Building a mapping refuses the settings the seeds warn break a sync: phone number, email,
 * opt-in status and the constituent ID may not be marked required.
 */
public final class FieldMapping {
    private static final Set<StandardField> NEVER_REQUIRED = Set.of(
            StandardField.PHONE_NUMBER, StandardField.EMAIL, StandardField.OPT_IN_STATUS);

    private final List<FieldRule> rules;
    private final Map<String, FieldRule> byLocalField;
    /** Every local field a record can be mapped to (rules' fields and joined fields), in rule order. */
    private final FieldValues.Layout localLayout;
    /** Per rule: its remote name by API, by CSV heading (null: none), and its local field's position. */
    private final String[] apiNames;
    private final String[] csvHeadings;
    private final int[] localPositions;
    /** Where each rule's remote name is in the layout of the records read last (read by many threads). */
    private volatile RemotePositions lastRead;

    private record RemotePositions(FieldValues.Layout layout, RecordSource source, int[] byRule) {
    }

    private FieldMapping(List<FieldRule> rules) {
        this.rules = List.copyOf(rules);
        Map<String, FieldRule> index = new LinkedHashMap<>();
        rules.forEach(r -> index.put(r.localField(), r));
        this.byLocalField = Collections.unmodifiableMap(index);
        Set<String> locals = new LinkedHashSet<>();
        for (FieldRule r : this.rules) {
            locals.add(r.localField());
            locals.addAll(r.joinedFields());
        }
        this.localLayout = FieldValues.Layout.of(List.copyOf(locals));
        int n = this.rules.size();
        this.apiNames = new String[n];
        this.csvHeadings = new String[n];
        this.localPositions = new int[n];
        for (int i = 0; i < n; i++) {
            FieldRule r = this.rules.get(i);
            apiNames[i] = r.apiName().orElse(null);
            csvHeadings[i] = r.csvHeading().orElse(null);
            localPositions[i] = localLayout.position(r.localField());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The seeds' default field names on both sides: every standard field maps to an API field and a
     * CSV heading of the same name (for example {@code profile_email}), except the constituent ID,
     * which is the CRM record's id and has no field of its own.
     */
    public static FieldMapping defaults() {
        Builder b = builder();
        for (StandardField f : StandardField.values()) {
            if (f == StandardField.CONSTITUENT_ID || f == StandardField.LOCAL_ID) {
                continue;
            }
            FieldRule.Builder rule = FieldRule.builder(f.fieldName()).apiName(f.fieldName()).csvHeading(f.fieldName());
            if (f == StandardField.OPT_IN_STATUS) {
                rule.converter(ValueConverter.yesNo("true", "false"));
            }
            b.rule(rule.build());
        }
        return b.build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        rules.forEach(b::rule);
        return b;
    }

    public List<FieldRule> rules() {
        return rules;
    }

    public Optional<FieldRule> rule(String localField) {
        return Optional.ofNullable(byLocalField.get(requireNonNull(localField, "localField")));
    }

    public Optional<FieldRule> rule(StandardField field) {
        return rule(field.fieldName());
    }

    /** The API field names this mapping reads or writes, in mapping order (for a query's field list). */
    public List<String> apiNames() {
        List<String> names = new ArrayList<>();
        rules.forEach(r -> r.apiName().ifPresent(names::add));
        return names;
    }

    /** The CSV headings this mapping reads, in mapping order. */
    public List<String> csvHeadings() {
        List<String> names = new ArrayList<>();
        rules.forEach(r -> r.csvHeading().ifPresent(names::add));
        return names;
    }

    /**
     * Maps a remote record's fields (keyed by API name or CSV heading, as {@code source} says) to local
     * field names, converting each value and noting required fields without a value.
     */
    public InboundValues toLocal(Map<String, String> remoteFields, RecordSource source) {
        requireNonNull(remoteFields, "remoteFields");
        requireNonNull(source, "source");
        String[] remoteNames = source == RecordSource.API ? apiNames : csvHeadings;
        // Records of one read share a layout: each rule's value is then found by its position.
        int[] at = null;
        FieldValues laidOut = remoteFields instanceof FieldValues fv ? fv : null;
        if (laidOut != null) {
            RemotePositions known = lastRead;
            if (known == null || known.layout() != laidOut.layout() || known.source() != source) {
                known = new RemotePositions(laidOut.layout(), source, laidOut.layout().positions(remoteNames));
                lastRead = known;
            }
            at = known.byRule();
        }
        // Once per record read: one array of values, and lists only when something is wrong.
        String[] values = new String[localLayout.size()];
        Set<String> blanks = null;
        List<String> missing = null;
        List<String> problems = null;
        for (int i = 0; i < remoteNames.length; i++) {
            FieldRule rule = rules.get(i);
            String remoteName = remoteNames[i];
            String raw = at != null ? (at[i] < 0 ? null : laidOut.valueAt(at[i]))
                    : remoteName == null ? null : remoteFields.get(remoteName);
            // FieldValues holds no null value: absent there is absent.
            if (raw == null && (remoteName == null || at != null || !remoteFields.containsKey(remoteName))) {
                if (rule.required()) {
                    missing = add(missing, rule.localField());
                }
                continue;
            }
            String converted = null;
            if (raw != null && !raw.isBlank()) {
                if (rule.converter() == ValueConverter.IDENTITY) {
                    converted = raw.trim(); // most fields: no converter, and no Optional per value
                } else {
                    try {
                        converted = rule.converter().toLocal(raw.trim()).filter(v -> !v.isBlank()).orElse(null);
                    } catch (IllegalArgumentException e) {
                        problems = add(problems, remoteName + " (" + rule.localField() + "): " + e.getMessage());
                        continue;
                    }
                }
            }
            if (converted != null && !rule.joinedFields().isEmpty()) {
                splitJoined(rule, converted, values, localLayout);
            } else if (converted != null) {
                values[localPositions[i]] = converted;
            } else {
                if (rule.required()) {
                    missing = add(missing, rule.localField());
                }
                if (rule.blankHandling() == BlankHandling.CLEAR) {
                    if (blanks == null) {
                        blanks = new LinkedHashSet<>();
                    }
                    blanks.add(rule.localField());
                }
            }
        }
        return new InboundValues(localLayout.values(values), blanks == null ? Set.of() : blanks,
                missing == null ? List.of() : missing, problems == null ? List.of() : problems);
    }

    private static List<String> add(List<String> list, String value) {
        List<String> to = list == null ? new ArrayList<>(2) : list;
        to.add(value);
        return to;
    }

    /**
     * Splits a joined remote value back into its local fields, in order, on the rule's separator;
     * a value with more parts than fields keeps the rest in the last field.
     */
    private static void splitJoined(FieldRule rule, String value, String[] values, FieldValues.Layout layout) {
        List<String> fields = new ArrayList<>();
        fields.add(rule.localField());
        fields.addAll(rule.joinedFields());
        String[] parts = value.split(java.util.regex.Pattern.quote(rule.joinSeparator()), fields.size());
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].isBlank()) {
                values[layout.position(fields.get(i))] = parts[i].trim();
            }
        }
    }

    /**
     * The remote fields (by API name) a push of {@code profile} writes. Fields whose rule says
     * {@link WriteMode#NEVER} are left out; {@link WriteMode#ONLY_WHEN_EMPTY} fields only when
     * {@code currentRemote} (the CRM's current values by API name; empty for a new record) has no
     * value. A blank local value is left out, or, for a rule that clears and a record that exists,
     * sent as an empty string, which the connector turns into its CRM's way of clearing a field.
     * The constituent ID is the record's id, never a field.
     *
     * @param include which local fields to consider (for example only the changed ones)
     * @throws IllegalArgumentException when a value cannot be converted, naming the field
     */
    public Map<String, String> toRemote(
            Profile profile, Map<String, String> currentRemote, boolean create, Predicate<String> include) {
        requireNonNull(profile, "profile");
        requireNonNull(currentRemote, "currentRemote");
        requireNonNull(include, "include");
        Map<String, String> out = new LinkedHashMap<>();
        for (FieldRule rule : rules) {
            if (rule.apiName().isEmpty() || rule.writeMode() == WriteMode.NEVER
                    || rule.localField().equals(StandardField.CONSTITUENT_ID.fieldName())
                    || !(include.test(rule.localField()) || rule.joinedFields().stream().anyMatch(include))) {
                continue;
            }
            String apiName = rule.apiName().get();
            String current = currentRemote.get(apiName);
            if (!create && rule.writeMode() == WriteMode.ONLY_WHEN_EMPTY && current != null && !current.isBlank()) {
                continue;
            }
            Optional<String> local = profile.get(rule.localField());
            if (!rule.joinedFields().isEmpty()) {
                List<String> parts = new ArrayList<>();
                local.ifPresent(parts::add);
                rule.joinedFields().forEach(f -> profile.get(f).filter(v -> !v.isBlank()).ifPresent(parts::add));
                local = parts.isEmpty() ? Optional.empty() : Optional.of(String.join(rule.joinSeparator(), parts));
            }
            Optional<String> converted;
            try {
                converted = local.flatMap(v -> rule.converter().toRemote(v)).filter(v -> !v.isBlank());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(rule.localField() + " -> " + apiName + ": " + e.getMessage(), e);
            }
            if (converted.isPresent()) {
                out.put(apiName, converted.get());
            } else if (!create && rule.blankHandling() == BlankHandling.CLEAR) {
                out.put(apiName, "");
            }
        }
        return out;
    }

    /**
     * The profile's mobile number and email by API field name, converted as a write converts them,
     * whatever the rules' write modes say: which person, and which phone, a write is about (a
     * {@code RemoteWrite}'s identity). Fields without an API name, or without a value, are left out.
     */
    public Map<String, String> identityOf(Profile profile) {
        requireNonNull(profile, "profile");
        Map<String, String> out = new LinkedHashMap<>();
        for (StandardField field : IDENTITY) {
            Optional<FieldRule> rule = rule(field);
            if (rule.isEmpty() || rule.get().apiName().isEmpty() || !rule.get().joinedFields().isEmpty()) {
                continue;
            }
            try {
                profile.get(field).flatMap(v -> rule.get().converter().toRemote(v)).filter(v -> !v.isBlank())
                        .ifPresent(v -> out.put(rule.get().apiName().get(), v));
            } catch (IllegalArgumentException e) {
                // a value the converter refuses tells the connector nothing; the write's fields say why
            }
        }
        return out;
    }

    private static final List<StandardField> IDENTITY = List.of(StandardField.PHONE_NUMBER, StandardField.EMAIL);

    @Override
    public String toString() {
        return "FieldMapping" + rules;
    }

    /** Builds a {@link FieldMapping}; {@link #build()} reports every problem at once. */
    public static final class Builder {
        private final List<FieldRule> rules = new ArrayList<>();

        private Builder() {
        }

        /** Adds a rule, replacing an earlier rule for the same local field. */
        public Builder rule(FieldRule rule) {
            requireNonNull(rule, "rule");
            rules.removeIf(r -> r.localField().equals(rule.localField()));
            rules.add(rule);
            return this;
        }

        /** Removes the rule for a local field, if there is one. */
        public Builder remove(String localField) {
            rules.removeIf(r -> r.localField().equals(localField));
            return this;
        }

        /**
         * @throws CrmSyncException with code {@code INVALID_MAPPING} listing every problem: a field the
         *     seeds say must not be required is marked required, or two rules share an API name or CSV
         *     heading
         */
        public FieldMapping build() {
            List<String> problems = new ArrayList<>();
            Set<String> apiNames = new HashSet<>();
            Set<String> headings = new HashSet<>();
            for (FieldRule rule : rules) {
                Optional<StandardField> std = StandardField.byName(rule.localField());
                if (rule.required() && std.isPresent() && NEVER_REQUIRED.contains(std.get())) {
                    problems.add(rule.localField() + " may not be marked required: phone number, email and opt-in"
                            + " status must by default exist in both databases in order to sync data, and marking"
                            + " them required stops records from syncing");
                }
                if (rule.required() && std.equals(Optional.of(StandardField.CONSTITUENT_ID))) {
                    problems.add(rule.localField() + " may not be marked required: the constituent ID is provided by"
                            + " the CRM, so new local profiles do not have it yet, and the sync from the application"
                            + " to the CRM would fail");
                }
                rule.apiName().filter(n -> !apiNames.add(n)).ifPresent(n ->
                        problems.add("API field name '" + n + "' is mapped by more than one field"));
                rule.csvHeading().filter(n -> !headings.add(n)).ifPresent(n ->
                        problems.add("CSV heading '" + n + "' is mapped by more than one field"));
            }
            if (!problems.isEmpty()) {
                throw new CrmSyncException(ErrorCode.INVALID_MAPPING,
                        "field mapping is not usable: " + String.join("; ", problems));
            }
            return new FieldMapping(rules);
        }
    }
}
