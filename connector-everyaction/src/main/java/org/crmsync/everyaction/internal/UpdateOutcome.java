package org.crmsync.everyaction.internal;

import static java.util.Objects.requireNonNull;

/** What {@code POST people/{vanId}} answered: taken, or the record refused (404: that VAN ID is not available). */
public sealed interface UpdateOutcome {
    record Updated(long vanId) implements UpdateOutcome {
    }

    record Refused(int httpStatus, String errorCode, String message) implements UpdateOutcome {
        public Refused {
            requireNonNull(errorCode, "errorCode");
            requireNonNull(message, "message");
        }
    }
}
