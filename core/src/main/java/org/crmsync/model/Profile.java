package org.crmsync.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One person on the local side: mobile phone in E.164, names, email, postal address, opt-in status,
 * the CRM's constituent ID, the application's own id, extra fields by name and the instant it was
 * last modified. Immutable; build one with {@link #builder()} or change a copy with
 * {@link #toBuilder()}.
 *
 * <p>Every field can also be read and written by its field name ({@link #get(String)},
 * {@link Builder#set(String, String)}), which is how a {@code FieldMapping} addresses it: standard
 * fields by their {@link StandardField#fieldName()}, anything else as an extra field.
 */
public final class Profile {
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_.:-]+");

    private static final int FIELDS = StandardField.values().length;

    /**
     * Standard field values by {@link StandardField#ordinal()}, null for none (the opt-in status is its
     * own field). Never handed out, so never copied but to build: one array per profile, which a store of
     * many profiles keeps, and which its garbage collector copies.
     */
    private final String[] standard;
    private final OptInStatus optInStatus;
    private final Map<String, String> extraFields;
    private final Instant lastModified;

    private Profile(Builder b) {
        this.standard = b.standard.clone();
        this.optInStatus = b.optInStatus;
        this.extraFields = b.extraFields.isEmpty() ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap(new TreeMap<>(b.extraFields));
        this.lastModified = b.lastModified;
    }

    private Profile(Profile from, String localId, Instant lastModified) {
        this.standard = from.standard.clone();
        this.standard[StandardField.LOCAL_ID.ordinal()] = localId == null || localId.isBlank() ? null : localId.trim();
        this.optInStatus = from.optInStatus;
        this.extraFields = from.extraFields; // immutable: shared
        this.lastModified = lastModified;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * This profile with another local id and modification time, everything else the same: what a store
     * keeps of a profile it creates, made with one copy rather than a builder's two.
     */
    public Profile withLocalId(String localId, Instant lastModified) {
        return new Profile(this, localId, lastModified);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        System.arraycopy(standard, 0, b.standard, 0, FIELDS);
        b.optInStatus = optInStatus;
        b.extraFields.putAll(extraFields);
        b.lastModified = lastModified;
        return b;
    }

    public Optional<String> localId() {
        return standard(StandardField.LOCAL_ID);
    }

    /** Mobile phone number in E.164 form, for example {@code +15555550123}. */
    public Optional<String> phoneNumber() {
        return standard(StandardField.PHONE_NUMBER);
    }

    public Optional<String> firstName() {
        return standard(StandardField.FIRST_NAME);
    }

    public Optional<String> lastName() {
        return standard(StandardField.LAST_NAME);
    }

    public Optional<String> email() {
        return standard(StandardField.EMAIL);
    }

    public Optional<String> street1() {
        return standard(StandardField.STREET_1);
    }

    public Optional<String> street2() {
        return standard(StandardField.STREET_2);
    }

    public Optional<String> city() {
        return standard(StandardField.CITY);
    }

    public Optional<String> state() {
        return standard(StandardField.STATE);
    }

    public Optional<String> postalCode() {
        return standard(StandardField.POSTAL_CODE);
    }

    public Optional<String> country() {
        return standard(StandardField.COUNTRY);
    }

    public OptInStatus optInStatus() {
        return optInStatus;
    }

    /** The CRM's id for this person, once linked. */
    public Optional<String> constituentId() {
        return standard(StandardField.CONSTITUENT_ID);
    }

    /** Fields beyond the standard ones, by name, sorted by name. */
    public Map<String, String> extraFields() {
        return extraFields;
    }

    public Optional<Instant> lastModified() {
        return Optional.ofNullable(lastModified);
    }

    /** A standard field's value. {@link StandardField#OPT_IN_STATUS} reads as {@code "true"/"false"}. */
    public Optional<String> get(StandardField field) {
        requireNonNull(field, "field");
        if (field == StandardField.OPT_IN_STATUS) {
            return optInStatus.fieldValue();
        }
        return standard(field);
    }

    /** Whether a standard field has a value, as {@code get(field).isPresent()} says, without an Optional. */
    public boolean has(StandardField field) {
        requireNonNull(field, "field");
        return field == StandardField.OPT_IN_STATUS ? optInStatus.fieldValue().isPresent()
                : standard[field.ordinal()] != null;
    }

    /** A field's value by name: a standard field's default name or an extra field's name. */
    public Optional<String> get(String fieldName) {
        requireNonNull(fieldName, "fieldName");
        Optional<StandardField> field = StandardField.byName(fieldName);
        return field.isPresent() ? get(field.get()) : Optional.ofNullable(extraFields.get(fieldName));
    }

    /** Every field with a value, by field name, standard fields first. */
    public Map<String, String> asFieldMap() {
        Map<String, String> all = new LinkedHashMap<>();
        for (StandardField f : StandardField.values()) {
            get(f).ifPresent(v -> all.put(f.fieldName(), v));
        }
        all.putAll(extraFields);
        return all;
    }

    private Optional<String> standard(StandardField field) {
        return Optional.ofNullable(standard[field.ordinal()]);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Profile)) {
            return false;
        }
        Profile p = (Profile) o;
        return Arrays.equals(standard, p.standard)
                && optInStatus == p.optInStatus
                && extraFields.equals(p.extraFields)
                && Objects.equals(lastModified, p.lastModified);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(standard), optInStatus, extraFields, lastModified);
    }

    /** Profiles hold personal data: only the ids and the opt-in status are printed. */
    @Override
    public String toString() {
        return "Profile{localId=" + standard[StandardField.LOCAL_ID.ordinal()]
                + ", constituentId=" + standard[StandardField.CONSTITUENT_ID.ordinal()]
                + ", optInStatus=" + optInStatus + "}";
    }

    /** Builds a {@link Profile}; blank strings clear a field. */
    public static final class Builder {
        private final String[] standard = new String[FIELDS];
        private OptInStatus optInStatus = OptInStatus.UNKNOWN;
        private final Map<String, String> extraFields = new TreeMap<>();
        private Instant lastModified;

        private Builder() {
        }

        public Builder localId(String value) {
            return put(StandardField.LOCAL_ID, value);
        }

        /** Mobile phone number; must be E.164 ({@code +} and up to 15 digits) when the profile is built. */
        public Builder phoneNumber(String value) {
            return put(StandardField.PHONE_NUMBER, value);
        }

        public Builder firstName(String value) {
            return put(StandardField.FIRST_NAME, value);
        }

        public Builder lastName(String value) {
            return put(StandardField.LAST_NAME, value);
        }

        public Builder email(String value) {
            return put(StandardField.EMAIL, value);
        }

        public Builder street1(String value) {
            return put(StandardField.STREET_1, value);
        }

        public Builder street2(String value) {
            return put(StandardField.STREET_2, value);
        }

        public Builder city(String value) {
            return put(StandardField.CITY, value);
        }

        public Builder state(String value) {
            return put(StandardField.STATE, value);
        }

        public Builder postalCode(String value) {
            return put(StandardField.POSTAL_CODE, value);
        }

        public Builder country(String value) {
            return put(StandardField.COUNTRY, value);
        }

        public Builder constituentId(String value) {
            return put(StandardField.CONSTITUENT_ID, value);
        }

        public Builder optInStatus(OptInStatus value) {
            this.optInStatus = requireNonNull(value, "optInStatus");
            return this;
        }

        public Builder extraField(String name, String value) {
            requireNonNull(name, "name");
            if (StandardField.byName(name).isPresent()) {
                throw new IllegalArgumentException("'" + name + "' is a standard field; set it with its own method");
            }
            if (!FIELD_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("extra field name '" + name
                        + "' may only contain letters, digits, '_', '.', ':' and '-'");
            }
            if (value == null || value.isBlank()) {
                extraFields.remove(name);
            } else {
                extraFields.put(name, value);
            }
            return this;
        }

        public Builder lastModified(Instant value) {
            this.lastModified = value;
            return this;
        }

        /**
         * Sets a field by name, as a field mapping does: a standard field's default name or an extra
         * field. The opt-in status takes the spellings {@link OptInStatus#parse(String)} reads.
         */
        public Builder set(String fieldName, String value) {
            requireNonNull(fieldName, "fieldName");
            Optional<StandardField> field = StandardField.byName(fieldName);
            if (field.isEmpty()) {
                return extraField(fieldName, value);
            }
            return set(field.get(), value);
        }

        /** Sets a standard field from its string value. */
        public Builder set(StandardField field, String value) {
            requireNonNull(field, "field");
            if (field == StandardField.OPT_IN_STATUS) {
                return optInStatus(OptInStatus.parse(value).orElseThrow(() -> new IllegalArgumentException(
                        "opt_in_status value '" + value + "' is not a yes/no value (true/false, yes/no, 1/0)")));
            }
            return put(field, value);
        }

        private Builder put(StandardField field, String value) {
            if (value == null || value.isBlank()) {
                standard[field.ordinal()] = null;
            } else {
                standard[field.ordinal()] = value.trim();
            }
            return this;
        }

        /** "+", a digit 1-9, then 6 to 14 digits: E.164 (checked by hand: this runs for every record of a sync). */
        private static boolean isE164(String phone) {
            int n = phone.length();
            if (n < 8 || n > 16 || phone.charAt(0) != '+' || phone.charAt(1) < '1' || phone.charAt(1) > '9') {
                return false;
            }
            for (int i = 2; i < n; i++) {
                if (phone.charAt(i) < '0' || phone.charAt(i) > '9') {
                    return false;
                }
            }
            return true;
        }

        /** @throws IllegalArgumentException naming the field when the phone number is not E.164 */
        public Profile build() {
            String phone = standard[StandardField.PHONE_NUMBER.ordinal()];
            if (phone != null && !isE164(phone)) {
                throw new IllegalArgumentException("phone_number must be E.164 (for example +15555550123); got a value of "
                        + phone.length() + " characters that is not");
            }
            return new Profile(this);
        }
    }
}
