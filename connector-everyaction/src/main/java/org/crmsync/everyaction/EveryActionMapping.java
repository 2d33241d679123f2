package org.crmsync.everyaction;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.ValueConverter;
import org.crmsync.model.StandardField;

/**
 * Field mappings for EveryAction people. The seed: "The EveryAction data sync supports all standard
 * profile fields; it does not sync custom fields." So every rule maps a standard profile field to one
 * of the person's standard fields below, and {@link #builder()} (and the connector's preflight, for a
 * mapping built otherwise) refuses any other name with that reason.
 *
 * <p>A VAN person is not flat (people/{vanId} answers with {@code phones[]}, {@code emails[]} and
 * {@code addresses[]}), so the API names are the connector's names for the values it reads from and
 * writes to them:
 *
 * <table>
 *   <caption>Default mapping</caption>
 *   <tr><th>profile field</th><th>API name</th><th>VAN</th></tr>
 *   <tr><td>phone_number</td><td>cellPhone</td><td>the cell phone: phoneType Cell (C)</td></tr>
 *   <tr><td>opt_in_status</td><td>smsOptInStatus</td><td>that phone's SMS opt-in: Opt-In (I) true,
 *       Opt-Out (O) false, Unknown (U) unknown</td></tr>
 *   <tr><td>profile_first_name</td><td>firstName</td><td>firstName</td></tr>
 *   <tr><td>profile_last_name</td><td>lastName</td><td>lastName</td></tr>
 *   <tr><td>profile_email</td><td>email</td><td>the preferred email</td></tr>
 *   <tr><td>address_street_1, address_street_2</td><td>addressLine1, addressLine2</td><td>the preferred
 *       address</td></tr>
 *   <tr><td>address_city, state, address_postal_code, address_country</td><td>city, stateOrProvince,
 *       zipOrPostalCode, countryCode</td><td>the preferred address</td></tr>
 *   <tr><td>constituent_id</td><td>vanId</td><td>the VAN ID</td></tr>
 * </table>
 *
 * <p>Reads give display words ({@code "phoneType":"Cell"}, {@code "smsOptInStatus":"Opt-In"}, parsons'
 * recorded {@code get_person_response}); writes take codes ({@code "C"}, {@code "I"}/{@code "O"}): the
 * opt-in converter reads both and writes codes.
 */
public final class EveryActionMapping {
    public static final String VAN_ID = "vanId";
    public static final String FIRST_NAME = "firstName";
    public static final String LAST_NAME = "lastName";
    public static final String EMAIL = "email";
    public static final String CELL_PHONE = "cellPhone";
    public static final String SMS_OPT_IN = "smsOptInStatus";
    public static final String ADDRESS_LINE_1 = "addressLine1";
    public static final String ADDRESS_LINE_2 = "addressLine2";
    public static final String CITY = "city";
    public static final String STATE = "stateOrProvince";
    public static final String ZIP = "zipOrPostalCode";
    public static final String COUNTRY = "countryCode";

    /** The person's standard fields this connector reads and writes; nothing else is synced. */
    public static final Set<String> STANDARD_FIELDS = Set.of(VAN_ID, FIRST_NAME, LAST_NAME, EMAIL, CELL_PHONE,
            SMS_OPT_IN, ADDRESS_LINE_1, ADDRESS_LINE_2, CITY, STATE, ZIP, COUNTRY);

    /** The seed's words, quoted in every refusal. */
    static final String SEED_RULE = "the EveryAction data sync \"supports all standard profile fields; it does not"
            + " sync custom fields\"";

    private EveryActionMapping() {
    }

    /** The default mapping (the table above). */
    public static FieldMapping defaults() {
        return builder()
                .rule(rule(StandardField.PHONE_NUMBER, CELL_PHONE))
                .rule(FieldRule.builder(StandardField.OPT_IN_STATUS.fieldName()).apiName(SMS_OPT_IN)
                        .converter(smsOptIn()).build())
                .rule(rule(StandardField.FIRST_NAME, FIRST_NAME))
                .rule(rule(StandardField.LAST_NAME, LAST_NAME))
                .rule(rule(StandardField.EMAIL, EMAIL))
                .rule(rule(StandardField.STREET_1, ADDRESS_LINE_1))
                .rule(rule(StandardField.STREET_2, ADDRESS_LINE_2))
                .rule(rule(StandardField.CITY, CITY))
                .rule(rule(StandardField.STATE, STATE))
                .rule(rule(StandardField.POSTAL_CODE, ZIP))
                .rule(rule(StandardField.COUNTRY, COUNTRY))
                .rule(rule(StandardField.CONSTITUENT_ID, VAN_ID))
                .build();
    }

    /** A builder that refuses, when built, any rule outside the standard fields. */
    public static Builder builder() {
        return new Builder(FieldMapping.builder());
    }

    /** A builder starting from {@code mapping}'s rules (to rename, drop or mark fields required). */
    public static Builder builder(FieldMapping mapping) {
        return new Builder(requireNonNull(mapping, "mapping").toBuilder());
    }

    /**
     * Every rule of {@code mapping} that names a field outside the standard set, with the seed's reason;
     * empty when the mapping only names standard fields.
     */
    public static List<String> nonStandard(FieldMapping mapping) {
        List<String> problems = new ArrayList<>();
        for (FieldRule rule : requireNonNull(mapping, "mapping").rules()) {
            if (StandardField.byName(rule.localField()).isEmpty()) {
                problems.add("'" + rule.localField() + "' is not a standard profile field");
            }
            rule.apiName().filter(n -> !STANDARD_FIELDS.contains(n)).ifPresent(n -> problems.add("'" + n
                    + "' (mapped from " + rule.localField() + ") is not a standard EveryAction field"
                    + caseHint(n)));
        }
        return problems;
    }

    /**
     * {@code mapping} itself when it names only standard fields.
     *
     * @throws CrmSyncException {@code INVALID_MAPPING} naming every other field, with the seed's reason
     */
    public static FieldMapping requireStandard(FieldMapping mapping) {
        List<String> problems = nonStandard(mapping);
        if (!problems.isEmpty()) {
            throw refusal(problems);
        }
        return mapping;
    }

    static CrmSyncException refusal(List<String> problems) {
        return new CrmSyncException(ErrorCode.INVALID_MAPPING, "field mapping is not usable with EveryAction: "
                + String.join("; ", problems) + ". " + Character.toUpperCase(SEED_RULE.charAt(0))
                + SEED_RULE.substring(1) + "; the standard fields are " + new java.util.TreeSet<>(STANDARD_FIELDS));
    }

    /**
     * The SMS opt-in of the cell phone: reads {@code Opt-In}/{@code I} as opted in, {@code Opt-Out}/{@code
     * O} as opted out, {@code Unknown}/{@code U} as unknown; writes {@code I} and {@code O}, the input
     * codes (reference notes §2.3; the VAN screen's choices are Opt-In, Opt-Out and Unknown).
     */
    public static ValueConverter smsOptIn() {
        return new ValueConverter() {
            @Override
            public Optional<String> toLocal(String remoteValue) {
                String v = remoteValue.trim().toLowerCase(Locale.ROOT).replace(" ", "").replace("-", "");
                switch (v) {
                    case "i": case "optin": case "optedin":
                        return Optional.of("true");
                    case "o": case "optout": case "optedout":
                        return Optional.of("false");
                    case "u": case "unknown":
                        return Optional.empty();
                    default:
                        throw new IllegalArgumentException("'" + remoteValue + "' is not an SMS opt-in status"
                                + " (expected Opt-In, Opt-Out or Unknown)");
                }
            }

            @Override
            public Optional<String> toRemote(String localValue) {
                return org.crmsync.model.OptInStatus.parse(localValue)
                        .orElseThrow(() -> new IllegalArgumentException("'" + localValue + "' is not a yes/no value"))
                        .fieldValue().map(v -> v.equals("true") ? "I" : "O");
            }
        };
    }

    private static String caseHint(String name) {
        return STANDARD_FIELDS.stream().filter(s -> s.equalsIgnoreCase(name)).findFirst()
                .map(s -> " (the standard field is spelled " + s + ")").orElse("");
    }

    private static FieldRule rule(StandardField field, String apiName) {
        return FieldRule.builder(field.fieldName()).apiName(apiName).build();
    }

    /** {@link FieldMapping.Builder} with the standard-fields rule checked in {@link #build()}. */
    public static final class Builder {
        private final FieldMapping.Builder mapping;

        private Builder(FieldMapping.Builder mapping) {
            this.mapping = mapping;
        }

        /** Adds a rule, replacing an earlier rule for the same local field. */
        public Builder rule(FieldRule rule) {
            mapping.rule(rule);
            return this;
        }

        /** Removes the rule for a local field, if there is one. */
        public Builder remove(String localField) {
            mapping.remove(localField);
            return this;
        }

        /**
         * @throws CrmSyncException {@code INVALID_MAPPING} for a rule outside the standard fields (the seed's
         *     reason), or any problem {@link FieldMapping.Builder#build()} finds
         */
        public FieldMapping build() {
            return requireStandard(mapping.build());
        }
    }
}
