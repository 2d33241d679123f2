package org.crmsync.engine;

import org.crmsync.model.Profile;
import org.crmsync.policy.SyncPolicy;

/**
 * The policy's default first and last names (the Salesforce seed: "If you leave these fields blank,
 * the first name will be Contact"), given to a person who has none when a record is created on either
 * side. The one place they are applied.
 */
final class DefaultNames {
    private DefaultNames() {
    }

    static Profile fill(Profile p, SyncPolicy policy) {
        boolean noFirst = p.firstName().isEmpty() && policy.defaultFirstName().isPresent();
        boolean noLast = p.lastName().isEmpty() && policy.defaultLastName().isPresent();
        if (!noFirst && !noLast) {
            return p;
        }
        Profile.Builder b = p.toBuilder();
        if (noFirst) {
            b.firstName(policy.defaultFirstName().get());
        }
        if (noLast) {
            b.lastName(policy.defaultLastName().get());
        }
        return b.build();
    }
}
