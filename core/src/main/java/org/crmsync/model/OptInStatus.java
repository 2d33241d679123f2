package org.crmsync.model;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a person agreed to receive messages. Never a bare boolean: {@link #UNKNOWN} ("no answer")
 * is not {@link #OPTED_OUT} ("no").
 */
public enum OptInStatus {
    OPTED_IN,
    OPTED_OUT,
    UNKNOWN;

    /**
     * Reads the usual spellings of a yes/no opt-in value: {@code true/false}, {@code yes/no},
     * {@code y/n}, {@code 1/0}, {@code opted_in/opted_out} (any case). A blank value is
     * {@link #UNKNOWN}; anything else is empty, so the caller can report it as invalid.
     */
    public static Optional<OptInStatus> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.of(UNKNOWN);
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "y": case "1": case "opted_in": case "subscribed":
                return Optional.of(OPTED_IN);
            case "false": case "no": case "n": case "0": case "opted_out": case "unsubscribed":
                return Optional.of(OPTED_OUT);
            case "unknown":
                return Optional.of(UNKNOWN);
            default:
                return Optional.empty();
        }
    }

    /** The value as a field value: {@code "true"}, {@code "false"}, or empty for {@link #UNKNOWN}. */
    public Optional<String> fieldValue() {
        switch (this) {
            case OPTED_IN: return Optional.of("true");
            case OPTED_OUT: return Optional.of("false");
            default: return Optional.empty();
        }
    }
}
