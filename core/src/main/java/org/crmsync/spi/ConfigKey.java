package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One configuration key a connector declares: its name, type, whether it is required, whether it is
 * a secret (never printed), its default, what it is for (including where in the CRM to find the value),
 * and the rules its value keeps beyond its type ({@link ConfigConstraint}), all checked by
 * {@link ConnectorConfig#validate} at once.
 */
public record ConfigKey(String name, Type type, boolean required, boolean secret, Optional<String> defaultValue,
        String doc, List<ConfigConstraint> constraints) {
    /** The kinds of value a key takes; {@link ConnectorConfig#validate} checks them. */
    public enum Type {
        STRING, INT, LONG, BOOLEAN, URL, HOST, DURATION, LIST
    }

    public ConfigKey {
        constraints = List.copyOf(constraints);
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        requireNonNull(defaultValue, "defaultValue");
        requireNonNull(doc, "doc");
        if (!name.matches("[a-z][a-z0-9_.-]*")) {
            throw new IllegalArgumentException("config key name '" + name + "' must be lower case, e.g. api.host");
        }
    }

    /** A key without constraints. */
    public ConfigKey(String name, Type type, boolean required, boolean secret, Optional<String> defaultValue,
            String doc) {
        this(name, type, required, secret, defaultValue, doc, List.of());
    }

    /** This key with more rules for its value. */
    public ConfigKey constrained(ConfigConstraint... more) {
        List<ConfigConstraint> all = new java.util.ArrayList<>(constraints);
        all.addAll(List.of(more));
        return new ConfigKey(name, type, required, secret, defaultValue, doc, all);
    }

    public static ConfigKey required(String name, Type type, String doc) {
        return new ConfigKey(name, type, true, false, Optional.empty(), doc);
    }

    public static ConfigKey optional(String name, Type type, String defaultValue, String doc) {
        return new ConfigKey(name, type, false, false, Optional.ofNullable(defaultValue), doc);
    }

    public static ConfigKey secret(String name, boolean required, String doc) {
        return new ConfigKey(name, Type.STRING, required, true, Optional.empty(), doc);
    }
}
