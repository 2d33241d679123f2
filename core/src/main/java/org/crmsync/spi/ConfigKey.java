package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One configuration key a connector declares: its name, type, whether it is required, whether it is
 * a secret (never printed), its default and what it is for (including where in the CRM to find the
 * value).
 */
public record ConfigKey(String name, Type type, boolean required, boolean secret, Optional<String> defaultValue,
        String doc) {
    /** The kinds of value a key takes; {@link ConnectorConfig#validate} checks them. */
    public enum Type {
        STRING, INT, LONG, BOOLEAN, URL, HOST, DURATION, LIST
    }

    public ConfigKey {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        requireNonNull(defaultValue, "defaultValue");
        requireNonNull(doc, "doc");
        if (!name.matches("[a-z][a-z0-9_.-]*")) {
            throw new IllegalArgumentException("config key name '" + name + "' must be lower case, e.g. api.host");
        }
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
