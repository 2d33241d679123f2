package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.crmsync.model.Profile;
import org.crmsync.policy.MatchKey;

/**
 * Asks a connector for the CRM records that may be the same person as a local profile, before the
 * engine creates one, so that nothing is duplicated.
 *
 * @param key the engine's key for the profile; the answer is keyed by it
 * @param profile the local profile
 * @param matchKeys the keys the engine will match on, first first (a connector returns every record
 *     matching any of them; the engine ranks them)
 */
public record LookupRequest(String key, Profile profile, List<MatchKey> matchKeys) {
    public LookupRequest {
        requireNonNull(key, "key");
        requireNonNull(profile, "profile");
        matchKeys = List.copyOf(matchKeys);
    }
}
