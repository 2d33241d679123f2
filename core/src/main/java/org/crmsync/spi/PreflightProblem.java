package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

/**
 * A reason the sync cannot start, found before any record moves: a mapped field that does not exist
 * in the CRM or cannot be written, an opt-in field of the wrong type, credentials that do not work.
 *
 * @param subject what is wrong (a field's API name, a config key, {@code credentials})
 * @param message what is wrong with it and what to do
 */
public record PreflightProblem(String subject, String message) {
    public PreflightProblem {
        requireNonNull(subject, "subject");
        requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return subject + ": " + message;
    }
}
