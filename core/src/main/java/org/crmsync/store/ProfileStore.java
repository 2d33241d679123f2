package org.crmsync.store;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.crmsync.model.Profile;

/**
 * The application's side of a sync: where profiles live. Applications implement it over their own
 * database; crmsync ships {@link InMemoryProfileStore} and {@link FileProfileStore}.
 *
 * <p>Every create and update appends a {@link LocalChange} to the store's change log with the fields
 * whose value changed and the origin given, so the outbound sync can find what the application
 * changed since its cursor. Lookups compare phone numbers exactly (E.164) and emails ignoring case.
 * Implementations are thread-safe.
 */
public interface ProfileStore {
    Optional<Profile> findByLocalId(String localId);

    /** Profiles linked to this CRM record; more than one is a conflict the engine reports. */
    List<Profile> findByConstituentId(String constituentId);

    List<Profile> findByPhone(String e164);

    List<Profile> findByEmail(String email);

    /** Profiles with this first name, last name and email, all ignoring case. */
    List<Profile> findByNameAndEmail(String firstName, String lastName, String email);

    /**
     * Stores a new profile and returns it with its local id (the given one, or a new one) and
     * last-modified instant set.
     *
     * @param optInPath the opt-in path a new subscriber joins (the application sends its welcome
     *     message); empty when the profile is not opted in
     * @param origin who creates it: {@link LocalChange#APPLICATION} or the sync's origin
     */
    Profile create(Profile profile, Optional<String> optInPath, String origin);

    /**
     * Replaces the stored profile with the same local id and returns what was stored. Logs a change
     * only when some field's value differs.
     *
     * @throws org.crmsync.CrmSyncException with code {@code INVALID_INPUT} when no profile has that id
     */
    Profile update(Profile profile, String origin);

    /** Change-log entries with a sequence greater than {@code afterSequence}, oldest first, at most {@code limit}. */
    List<LocalChange> changesSince(long afterSequence, int limit);

    /** The sequence of the newest change-log entry, 0 when there is none. */
    long lastSequence();

    /** Every profile, lazily; close the stream when done. */
    Stream<Profile> all();

    /**
     * Runs {@code work}, which creates and updates profiles, as one unit of writing: a store that
     * persists on every change (a file, a remote database) may save once at the end instead. The
     * engine applies records in groups this way and saves its cursor only after the group returns,
     * so a crash within a group repeats the group rather than losing it. When {@code work} throws,
     * what it changed before the failure must stay changed (no rollback): the engine keeps its cursor
     * after the records that were applied. The default just runs it.
     */
    default <T> T inTransaction(java.util.function.Supplier<T> work) {
        return work.get();
    }
}
