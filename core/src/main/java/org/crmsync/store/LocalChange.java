package org.crmsync.store;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import org.crmsync.model.StandardField;

/**
 * One entry of a profile store's change log: which profile changed, which fields, and who changed
 * it. The outbound sync reads the log since its cursor and pushes what the application changed;
 * changes the sync itself made (origin {@code crmsync:<connection>}) are not echoed back.
 *
 * @param sequence increasing position in the log; the outbound cursor
 * @param localId the changed profile
 * @param origin who made the change: {@link #APPLICATION}, or the sync that wrote it
 * @param changedFields field names whose value changed (all set fields for a new profile)
 * @param created whether the change created the profile
 */
public record LocalChange(long sequence, String localId, String origin, Set<String> changedFields, boolean created) {
    /** The origin of changes the application makes itself (sign-ups, opt-outs by text, edits). */
    public static final String APPLICATION = "application";

    public LocalChange {
        requireNonNull(localId, "localId");
        requireNonNull(origin, "origin");
        changedFields = Set.copyOf(changedFields);
    }

    /** Whether this change touched the opt-in status. */
    public boolean optInChanged() {
        return changedFields.contains(StandardField.OPT_IN_STATUS.fieldName());
    }
}
