package org.crmsync.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.RecordSource;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.crmsync.phone.PhoneNormalizer;
import org.crmsync.policy.MatchKey;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.store.ProfileStore;

/**
 * Finding the record on the other side (DESIGN.md §3 rule 4 and §4 "matching never guesses"). Every
 * key of the policy's order is looked at:
 *
 * <ul>
 *   <li>the first key that finds anything decides: exactly one record is the match, several are
 *       {@link Ambiguous} (reported, never guessed);
 *   <li>a later key that finds records, none of them the match, is a {@link Conflict}: the person's
 *       keys point to different records (phone to one, email to another), and linking either would
 *       leave the other with the same key;
 *   <li>a match found by phone or email whose name and email both disagree with the profile is a
 *       {@link Conflict} too: it is someone else who has that number (a shared or recycled phone).
 *       Matches by constituent ID or local ID are links already made, so they are not second-guessed.
 * </ul>
 */
final class Matches {
    private Matches() {
    }

    /** The result of matching, one type per state. */
    sealed interface Match<T> permits Found, NotFound, Ambiguous, Conflict {
    }

    /** Exactly one record, found by {@code key}. */
    record Found<T>(T match, MatchKey key) implements Match<T> {
    }

    /** No key found anything. */
    record NotFound<T>() implements Match<T> {
    }

    /** The deciding key found several records; {@code why} says how many and by which key. */
    record Ambiguous<T>(String why) implements Match<T> {
    }

    /** The keys disagree, or the match is someone else; {@code why} names keys and record ids, no values. */
    record Conflict<T>(String why) implements Match<T> {
    }

    /** The local profile for a CRM record with these mapped values (local field names). */
    static Match<Profile> local(ProfileStore store, List<MatchKey> order, String remoteId, String e164,
            Map<String, String> values) {
        Match<Profile> match = byKeys(order, key -> localCandidates(store, key, remoteId, e164, values),
                p -> p.localId().orElse("?"), "local profile");
        if (match instanceof Found<Profile> found) {
            Optional<String> other = someoneElse(found.match(), values, found.key());
            if (other.isPresent()) {
                return new Conflict<>("local profile " + found.match().localId().orElse("?") + " matches by "
                        + name(found.key()) + " but " + other.get() + "; nothing was changed");
            }
        }
        return match;
    }

    /** The CRM record, among a lookup's candidates, that is the same person as {@code profile}. */
    static Match<RemoteRecord> remote(Profile profile, List<RemoteRecord> candidates, List<MatchKey> order,
            FieldMapping mapping, PhoneNormalizer phones) {
        Map<RemoteRecord, Map<String, String>> mapped = new LinkedHashMap<>();
        for (RemoteRecord r : candidates) {
            mapped.putIfAbsent(r, mapping.toLocal(r.fields(), RecordSource.API).values());
        }
        Match<RemoteRecord> match = byKeys(order, key -> {
            List<RemoteRecord> hits = new ArrayList<>();
            mapped.forEach((r, values) -> {
                if (sameBy(key, profile, r.remoteId(), values, phones)) {
                    hits.add(r);
                }
            });
            return hits;
        }, RemoteRecord::remoteId, "CRM record");
        if (match instanceof Found<RemoteRecord> found) {
            Optional<String> other = someoneElse(profile, mapped.get(found.match()), found.key());
            if (other.isPresent()) {
                return new Conflict<>("CRM record " + found.match().remoteId() + " matches by " + name(found.key())
                        + " but " + other.get() + "; nothing was written");
            }
        }
        return match;
    }

    private static <T> Match<T> byKeys(List<MatchKey> order, Function<MatchKey, List<T>> find,
            Function<T, String> idOf, String what) {
        Found<T> winner = null;
        for (MatchKey key : order) {
            List<T> found = find.apply(key);
            if (found.isEmpty()) {
                continue; // most keys of most records: nothing to index
            }
            Map<String, T> hits = new LinkedHashMap<>();
            found.forEach(t -> hits.putIfAbsent(idOf.apply(t), t));
            if (winner == null) {
                if (hits.size() > 1) {
                    return new Ambiguous<>(hits.size() + " " + what + "s match by " + name(key));
                }
                winner = new Found<>(hits.values().iterator().next(), key);
            } else if (!hits.containsKey(idOf.apply(winner.match()))) {
                return new Conflict<>(name(winner.key()) + " matches " + what + " " + idOf.apply(winner.match())
                        + " but " + name(key) + " matches " + what + (hits.size() > 1 ? "s " : " ")
                        + String.join(", ", hits.keySet()) + "; the keys point to different records, so nothing"
                        + " was linked");
            }
        }
        return winner != null ? winner : new NotFound<>();
    }

    /**
     * Why a match by phone or email is someone else: the other side has another email and another
     * name (first or last). Names alone differ for nicknames, emails alone when people change them;
     * both at once is another person. The message names no value.
     */
    private static Optional<String> someoneElse(Profile profile, Map<String, String> other, MatchKey key) {
        if (key == MatchKey.CONSTITUENT_ID || key == MatchKey.LOCAL_ID) {
            return Optional.empty();
        }
        boolean emailDiffers = differs(profile.email(), other.get(StandardField.EMAIL.fieldName()));
        boolean nameDiffers = differs(profile.firstName(), other.get(StandardField.FIRST_NAME.fieldName()))
                || differs(profile.lastName(), other.get(StandardField.LAST_NAME.fieldName()));
        return emailDiffers && nameDiffers
                ? Optional.of("its name and email both differ from the profile's: another person with that "
                        + name(key))
                : Optional.empty();
    }

    private static boolean differs(Optional<String> local, String remote) {
        return local.filter(v -> !v.isBlank()).isPresent() && remote != null && !remote.isBlank()
                && !local.get().trim().equalsIgnoreCase(remote.trim());
    }

    private static String name(MatchKey key) {
        return key.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static List<Profile> localCandidates(ProfileStore store, MatchKey key, String remoteId, String e164,
            Map<String, String> values) {
        String email = values.get(StandardField.EMAIL.fieldName());
        switch (key) {
            case CONSTITUENT_ID:
                return remoteId.isEmpty() ? List.of() : store.findByConstituentId(remoteId);
            case LOCAL_ID:
                return Optional.ofNullable(values.get(StandardField.LOCAL_ID.fieldName()))
                        .flatMap(store::findByLocalId).map(List::of).orElse(List.of());
            case PHONE:
                return e164 == null ? List.of() : store.findByPhone(e164);
            case EMAIL:
                return email == null ? List.of() : store.findByEmail(email);
            case NAME_AND_EMAIL:
                String first = values.get(StandardField.FIRST_NAME.fieldName());
                String last = values.get(StandardField.LAST_NAME.fieldName());
                return email == null || first == null || last == null ? List.of()
                        : store.findByNameAndEmail(first, last, email);
            default:
                throw new IllegalStateException("unknown match key " + key);
        }
    }

    private static boolean sameBy(MatchKey key, Profile p, String remoteId, Map<String, String> values,
            PhoneNormalizer phones) {
        switch (key) {
            case CONSTITUENT_ID:
                return p.constituentId().filter(remoteId::equals).isPresent();
            case LOCAL_ID:
                return p.localId().filter(id -> id.equals(values.get(StandardField.LOCAL_ID.fieldName()))).isPresent();
            case PHONE:
                return p.phoneNumber().filter(ph -> Optional.ofNullable(values.get(StandardField.PHONE_NUMBER.fieldName()))
                        .flatMap(raw -> phones.check(raw).e164()).filter(ph::equals).isPresent()).isPresent();
            case EMAIL:
                return equalIgnoringCase(p.email(), values.get(StandardField.EMAIL.fieldName()));
            case NAME_AND_EMAIL:
                return equalIgnoringCase(p.email(), values.get(StandardField.EMAIL.fieldName()))
                        && equalIgnoringCase(p.firstName(), values.get(StandardField.FIRST_NAME.fieldName()))
                        && equalIgnoringCase(p.lastName(), values.get(StandardField.LAST_NAME.fieldName()));
            default:
                throw new IllegalStateException("unknown match key " + key);
        }
    }

    private static boolean equalIgnoringCase(Optional<String> local, String remote) {
        return local.isPresent() && remote != null && local.get().trim().equalsIgnoreCase(remote.trim());
    }
}
