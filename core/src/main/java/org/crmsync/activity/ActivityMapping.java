package org.crmsync.activity;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Per activity type, which of an activity's fields go to the CRM and under which CRM names, which of
 * them an activity must have, and the CRM's own name for the type (an ActionKit call page, a Luminate
 * form). A connector provider gives its CRM's defaults ({@code ConnectorProvider#defaultActivityMapping});
 * an application changes them with {@link #toBuilder()}. Fields an activity has but the mapping does
 * not name are not sent; an activity of a type the mapping does not name is not synced (the report
 * says so). Immutable.
 */
public final class ActivityMapping {
    private static final ActivityMapping NONE = new ActivityMapping(Map.of());

    private final Map<String, TypeRules> types;

    private record TypeRules(String remoteType, Map<String, String> fields, Set<String> required) {
    }

    /** The CRM's form of one activity: its type, its values by CRM field name, and what it lacks. */
    public record Mapped(String remoteType, Map<String, String> fields, List<String> missingRequired) {
        public Mapped {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
            missingRequired = List.copyOf(missingRequired);
        }
    }

    private ActivityMapping(Map<String, TypeRules> types) {
        this.types = types;
    }

    /** No type mapped: an activity job with it syncs nothing (every activity is reported as not mapped). */
    public static ActivityMapping none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        types.forEach((type, rules) -> {
            b.type(type, rules.remoteType());
            rules.fields().forEach((local, remote) -> b.map(type, local, remote));
            rules.required().forEach(local -> b.required(type, local));
        });
        return b;
    }

    /** The types mapped, in the order they were declared. */
    public Set<String> types() {
        return types.keySet();
    }

    /** The CRM form of {@code activity}; empty when its type is not mapped. */
    public Optional<Mapped> toRemote(Activity activity) {
        TypeRules rules = types.get(activity.type());
        if (rules == null) {
            return Optional.empty();
        }
        Map<String, String> remote = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        rules.fields().forEach((local, remoteName) -> {
            String value = activity.fields().get(local);
            if (value != null && !value.isBlank()) {
                remote.put(remoteName, value.trim());
            } else if (rules.required().contains(local)) {
                missing.add(local);
            }
        });
        return Optional.of(new Mapped(rules.remoteType(), remote, missing));
    }

    @Override
    public String toString() {
        return "ActivityMapping" + types;
    }

    /** Builds an {@link ActivityMapping}; {@link #build()} names every bad part at once. */
    public static final class Builder {
        private final Map<String, String> remoteTypes = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> fields = new LinkedHashMap<>();
        private final Map<String, Set<String>> required = new LinkedHashMap<>();

        private Builder() {
        }

        /** Maps {@code type}, under the same name in the CRM unless {@link #type(String, String)} says another. */
        public Builder type(String type) {
            return type(type, remoteTypes.getOrDefault(requireNonNull(type, "type"), type));
        }

        /** Maps {@code type}, which the CRM knows as {@code remoteType}. */
        public Builder type(String type, String remoteType) {
            requireNonNull(type, "type");
            requireNonNull(remoteType, "remoteType");
            remoteTypes.put(type, remoteType);
            fields.computeIfAbsent(type, t -> new LinkedHashMap<>());
            required.computeIfAbsent(type, t -> new LinkedHashSet<>());
            return this;
        }

        /** Sends an activity's {@code localField} of {@code type} as the CRM's {@code remoteField} (maps the type). */
        public Builder map(String type, String localField, String remoteField) {
            requireNonNull(localField, "localField");
            requireNonNull(remoteField, "remoteField");
            type(type);
            fields.get(type).put(localField, remoteField);
            return this;
        }

        /** An activity of {@code type} without {@code localField} is not sent (reported as missing it). */
        public Builder required(String type, String localField) {
            requireNonNull(localField, "localField");
            type(type);
            required.get(type).add(localField);
            return this;
        }

        /** Stops mapping {@code type}. */
        public Builder withoutType(String type) {
            remoteTypes.remove(type);
            fields.remove(type);
            required.remove(type);
            return this;
        }

        /** @throws IllegalArgumentException naming every blank name and every required field not mapped */
        public ActivityMapping build() {
            List<String> problems = new ArrayList<>();
            Map<String, TypeRules> types = new LinkedHashMap<>();
            remoteTypes.forEach((type, remoteType) -> {
                if (!type.matches("[a-z0-9_.-]+")) {
                    problems.add("activity type '" + type + "' may only contain lower-case letters, digits, '_', '.'"
                            + " and '-'");
                }
                if (remoteType.isBlank()) {
                    problems.add("activity type " + type + " needs a CRM name");
                }
                fields.get(type).forEach((local, remote) -> {
                    if (local.isBlank() || remote.isBlank()) {
                        problems.add("activity type " + type + " maps a blank field name");
                    }
                });
                for (String r : required.get(type)) {
                    if (!fields.get(type).containsKey(r)) {
                        problems.add("activity type " + type + ": required field " + r + " is not mapped to a CRM"
                                + " field");
                    }
                }
                types.put(type, new TypeRules(remoteType, Collections.unmodifiableMap(new LinkedHashMap<>(
                        fields.get(type))), Set.copyOf(required.get(type))));
            });
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("activity mapping: " + String.join("; ", problems));
            }
            return new ActivityMapping(Collections.unmodifiableMap(types));
        }
    }
}
