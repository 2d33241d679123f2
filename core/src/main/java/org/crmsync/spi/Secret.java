package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

/**
 * A secret configuration value (a password, a token, an API key): it prints as {@code ****} wherever
 * it goes (a config's {@code toString()}, a log line, an exception), so masking does not depend on
 * each class remembering to. {@link #reveal()} gives the value to the one place that sends it.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return new Secret(requireNonNull(value, "value"));
    }

    /** The value itself: only for the header or form field that sends it to the CRM. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "****";
    }
}
