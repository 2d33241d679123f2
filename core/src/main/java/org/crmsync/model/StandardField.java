package org.crmsync.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The standard profile fields, with the default field names the seeds' platform uses (for example
 * {@code phone_number}, {@code profile_email}). Any other name is an extra field of the profile.
 */
public enum StandardField {
    PHONE_NUMBER("phone_number"),
    FIRST_NAME("profile_first_name"),
    LAST_NAME("profile_last_name"),
    EMAIL("profile_email"),
    STREET_1("address_street_1"),
    STREET_2("address_street_2"),
    CITY("address_city"),
    STATE("state"),
    POSTAL_CODE("address_postal_code"),
    COUNTRY("address_country"),
    OPT_IN_STATUS("opt_in_status"),
    /** The CRM's id for the person, written back to the profile once the person is linked. */
    CONSTITUENT_ID("constituent_id"),
    /** The application's own id for the person (the seeds' SONIS ID), stored in the CRM by some syncs. */
    LOCAL_ID("local_id");

    private final String fieldName;

    StandardField(String fieldName) {
        this.fieldName = fieldName;
    }

    /** The default field name, as the seeds print it. */
    public String fieldName() {
        return fieldName;
    }

    /** The standard field with this default name, if it is one. */
    public static Optional<StandardField> byName(String fieldName) {
        return Optional.ofNullable(ByName.MAP.get(fieldName));
    }

    /** Looked up once per field of every record: a map, not a scan. */
    private static final class ByName {
        static final java.util.Map<String, StandardField> MAP = java.util.Map.copyOf(Arrays.stream(values())
                .collect(java.util.stream.Collectors.toMap(f -> f.fieldName, f -> f)));
    }
}
