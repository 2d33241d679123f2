package org.crmsync.luminate.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/** What Luminate answered a call that it handled: the body, or its refusal of the record. One type per state. */
public sealed interface LuminateAnswer permits LuminateAnswer.Ok, LuminateAnswer.Refused {
    /** A successful answer: the JSON under its root element (e.g. {@code getConsResponse}). */
    record Ok(JsonNode body) implements LuminateAnswer {
        public Ok {
            requireNonNull(body, "body");
        }
    }

    /**
     * {@code errorResponse} with a code about the record, not the call (a duplicate, a validation error, a
     * constituent not found): the record is reported, the batch goes on.
     *
     * @param message Luminate's message, secrets masked
     */
    record Refused(int code, String message) implements LuminateAnswer {
        public Refused {
            requireNonNull(message, "message");
        }

        /** Luminate's code 16: "constituent record not found". */
        public boolean notFound() {
            return code == LuminateErrors.NOT_FOUND;
        }

        /** Code 8: a one-constituent request matched several (the email is not unique on the site). */
        public boolean severalMatch() {
            return code == LuminateErrors.SEVERAL_MATCH || code == LuminateErrors.UPDATE_MATCHED_MULTIPLE;
        }
    }
}
