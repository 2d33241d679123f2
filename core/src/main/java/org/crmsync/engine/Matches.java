package org.crmsync.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.InboundValues;
import org.crmsync.mapping.RecordSource;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.crmsync.phone.PhoneNormalizer;
import org.crmsync.policy.MatchKey;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.store.ProfileStore;

/**
 * Finding the record on the other side, key by key in the policy's order: the first key that finds
 * exactly one record wins; a key that finds several makes the record ambiguous (reported, never
 * guessed); a key that finds none passes to the next.
 */
final class Matches {
    private Matches() {
    }

    /** The result of matching: a profile or record found, ambiguity, or nothing. */
    record Match(Optional<Profile> profile, Optional<RemoteRecord> remote, Optional<MatchKey> key,
            Optional<String> ambiguous) {
        static Match none() {
            return new Match(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /** The local profile for a CRM record with these mapped values. */
    static Match local(ProfileStore store, List<MatchKey> order, String remoteId, String e164,
            Map<String, String> values) {
        for (MatchKey key : order) {
            List<Profile> found = localCandidates(store, key, remoteId, e164, values);
            if (found.size() > 1) {
                return new Match(Optional.empty(), Optional.empty(), Optional.of(key), Optional.of(found.size()
                        + " local profiles match by " + key.name().toLowerCase(Locale.ROOT).replace('_', ' ')));
            }
            if (found.size() == 1) {
                return new Match(Optional.of(found.get(0)), Optional.empty(), Optional.of(key), Optional.empty());
            }
        }
        return Match.none();
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

    /** The CRM record, among a lookup's candidates, that is the same person as {@code profile}. */
    static Match remote(Profile profile, List<RemoteRecord> candidates, List<MatchKey> order, FieldMapping mapping,
            PhoneNormalizer phones) {
        List<Map.Entry<RemoteRecord, Map<String, String>>> mapped = new ArrayList<>();
        for (RemoteRecord r : candidates) {
            InboundValues v = mapping.toLocal(r.fields(), RecordSource.API);
            mapped.add(Map.entry(r, v.values()));
        }
        for (MatchKey key : order) {
            Predicate<Map.Entry<RemoteRecord, Map<String, String>>> same = sameBy(key, profile, phones);
            List<RemoteRecord> found = mapped.stream().filter(same).map(Map.Entry::getKey).distinct().toList();
            if (found.size() > 1) {
                return new Match(Optional.empty(), Optional.empty(), Optional.of(key), Optional.of(found.size()
                        + " CRM records match by " + key.name().toLowerCase(Locale.ROOT).replace('_', ' ')));
            }
            if (found.size() == 1) {
                return new Match(Optional.empty(), Optional.of(found.get(0)), Optional.of(key), Optional.empty());
            }
        }
        return Match.none();
    }

    private static Predicate<Map.Entry<RemoteRecord, Map<String, String>>> sameBy(MatchKey key, Profile p,
            PhoneNormalizer phones) {
        switch (key) {
            case CONSTITUENT_ID:
                return e -> p.constituentId().filter(id -> id.equals(e.getKey().remoteId())).isPresent();
            case LOCAL_ID:
                return e -> p.localId().filter(id -> id.equals(e.getValue().get(StandardField.LOCAL_ID.fieldName())))
                        .isPresent();
            case PHONE:
                return e -> p.phoneNumber().filter(ph -> Optional.ofNullable(e.getValue()
                        .get(StandardField.PHONE_NUMBER.fieldName())).flatMap(raw -> phones.check(raw).e164())
                        .filter(ph::equals).isPresent()).isPresent();
            case EMAIL:
                return e -> equalIgnoringCase(p.email(), e.getValue().get(StandardField.EMAIL.fieldName()));
            case NAME_AND_EMAIL:
                return e -> equalIgnoringCase(p.email(), e.getValue().get(StandardField.EMAIL.fieldName()))
                        && equalIgnoringCase(p.firstName(), e.getValue().get(StandardField.FIRST_NAME.fieldName()))
                        && equalIgnoringCase(p.lastName(), e.getValue().get(StandardField.LAST_NAME.fieldName()));
            default:
                throw new IllegalStateException("unknown match key " + key);
        }
    }

    private static boolean equalIgnoringCase(Optional<String> local, String remote) {
        return local.isPresent() && remote != null && local.get().trim().equalsIgnoreCase(remote.trim());
    }
}
