package org.crmsync.everyaction.internal;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The API key's profile ({@code GET apiKeyProfiles}, parsons issue #1180 and test_introspection):
 * which database it reaches, whether it has MyVoters and MyCampaign, its type, and its API user.
 */
public record KeyProfile(String databaseName, Optional<Boolean> hasMyVoters, Optional<Boolean> hasMyCampaign,
        String apiKeyTypeName, String username) {
    public KeyProfile {
        requireNonNull(databaseName, "databaseName");
        requireNonNull(hasMyVoters, "hasMyVoters");
        requireNonNull(hasMyCampaign, "hasMyCampaign");
        requireNonNull(apiKeyTypeName, "apiKeyTypeName");
        requireNonNull(username, "username");
    }
}
