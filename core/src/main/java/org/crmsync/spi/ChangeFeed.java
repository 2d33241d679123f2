package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What {@link ConnectorSession#readChanges} gives: the changes, or word that the CRM is still
 * preparing them. One type per state.
 */
public sealed interface ChangeFeed permits ChangeFeed.Ready, ChangeFeed.NotReady {
    /** The changes, to be read now. */
    record Ready(ChangeStream changes) implements ChangeFeed {
        public Ready {
            requireNonNull(changes, "changes");
        }
    }

    /**
     * The CRM prepares the changes as a job or a file that is not ready yet (an export job still
     * running, tonight's file not written yet). The engine saves {@code cursor} at once, so the next
     * run finds the same job instead of starting another, and ends the run with status
     * {@code WAITING_FOR_REMOTE}, asking to be run again after {@code retryAfter}.
     *
     * @param cursor where the next run starts: the cursor given, plus what finds the job again
     * @param retryAfter when looking again is worthwhile
     * @param what what is being waited for, for the report ("export job 1234 is running"); no personal data
     */
    record NotReady(SyncCursor cursor, Duration retryAfter, String what) implements ChangeFeed {
        public NotReady {
            requireNonNull(cursor, "cursor");
            requireNonNull(retryAfter, "retryAfter");
            requireNonNull(what, "what");
            if (retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter may not be negative: " + retryAfter);
            }
        }
    }

    static ChangeFeed ready(ChangeStream changes) {
        return new Ready(changes);
    }

    static ChangeFeed notReady(SyncCursor cursor, Duration retryAfter, String what) {
        return new NotReady(cursor, retryAfter, what);
    }
}
