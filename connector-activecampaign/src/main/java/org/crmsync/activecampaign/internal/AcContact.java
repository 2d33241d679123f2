package org.crmsync.activecampaign.internal;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One ActiveCampaign contact as read: its standard fields, its custom field values by field id, and
 * its status on each list by list id ({@code "0"} unconfirmed, {@code "1"} active, {@code "2"}
 * unsubscribed, {@code "3"} bounced). Blank standard fields are empty strings.
 *
 * @param updated {@code udate} as an instant; empty when ActiveCampaign sent none or a zero date
 */
public record AcContact(String id, String email, String firstName, String lastName, String phone,
        Optional<Instant> updated, Map<String, String> fieldValues, Map<String, String> listStatuses) {
    public AcContact {
        requireNonNull(id, "id");
        email = email == null ? "" : email;
        firstName = firstName == null ? "" : firstName;
        lastName = lastName == null ? "" : lastName;
        phone = phone == null ? "" : phone;
        requireNonNull(updated, "updated");
        fieldValues = Collections.unmodifiableMap(new LinkedHashMap<>(fieldValues));
        listStatuses = Collections.unmodifiableMap(new LinkedHashMap<>(listStatuses));
    }

    /** The contact's status on a list, if it is on it. */
    public Optional<String> listStatus(String listId) {
        return Optional.ofNullable(listStatuses.get(listId));
    }

    /** Contacts hold personal data: only the id is printed. */
    @Override
    public String toString() {
        return "AcContact{" + id + "}";
    }
}
