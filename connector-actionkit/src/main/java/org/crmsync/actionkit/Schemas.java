package org.crmsync.actionkit;

import org.crmsync.actionkit.internal.ResourceSchema;

/**
 * What the instance's user and phone schemas allow, read once per preflight: which filters the
 * connector can use to read in as few calls as possible, and which it must do without. ActionKit lets
 * a collection be filtered only "on the fields listed in 'filtering' in the schema" (overview.html),
 * and the reference notes could not confirm for users and phones which those are (§1.2, §7), so the
 * connector asks the instance instead of assuming.
 */
record Schemas(ResourceSchema user, ResourceSchema phone) {
    /** Users by a list of emails in one call ({@code email__in}), else one call per email. */
    boolean usersByEmails() {
        return user.filters("email", "in");
    }

    /** Users by a list of ids in one call ({@code id__in}), else one call per user. */
    boolean usersByIds() {
        return user.filters("id", "in");
    }

    /** Phones of a list of users in one call ({@code user__in}). */
    boolean phonesByUsers() {
        return phone.filters("user", "in");
    }

    /** Phones of one user ({@code user=}), as controlshift/action_kit_rest reads them ({@code phone/?user=1}). */
    boolean phonesByUser() {
        return phone.filters("user", "exact");
    }

    /** Phones by their normalized number, for a look-up by phone before a create. */
    boolean phonesByNumbers() {
        return phone.filters("normalized_phone", "in");
    }

    boolean phonesByNumber() {
        return phone.filters("normalized_phone", "exact");
    }

    /** Phones of one type ({@code type=mobile}), to read only mobile numbers. */
    boolean phonesByType() {
        return phone.filters("type", "exact");
    }

    /**
     * The changed-users read: {@code updated_at__gte}, {@code updated_at__gt} and exact {@code updated_at},
     * {@code id__gt}, ordered by {@code updated_at} then {@code id}.
     */
    boolean changedUsers() {
        return user.filters("updated_at", "gte") && user.filters("updated_at", "gt")
                && user.filters("updated_at", "exact") && user.filters("id", "gt") && user.orders("updated_at")
                && user.orders("id");
    }
}
