package org.crmsync.actionkit;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.ValueConverter;
import org.crmsync.model.StandardField;
import org.crmsync.phone.Countries;

/**
 * The default field mapping for ActionKit users: the seed's profile fields to the user resource's
 * field names (users.html, "Properties"), the mobile phone to the user's phone of type {@code mobile}
 * (the phone resource), and the opt-in to the allowed user field the seed has the admin create.
 *
 * <table>
 *   <caption>Default mapping</caption>
 *   <tr><th>profile field</th><th>ActionKit name</th><th>where it lives</th></tr>
 *   <tr><td>phone_number</td><td>{@value #MOBILE_PHONE}</td><td>the user's phone of type mobile</td></tr>
 *   <tr><td>profile_first_name / profile_last_name</td><td>first_name / last_name</td><td>user</td></tr>
 *   <tr><td>profile_email</td><td>email</td><td>user (unique in ActionKit)</td></tr>
 *   <tr><td>address_street_1 / address_street_2</td><td>address1 / address2</td><td>user</td></tr>
 *   <tr><td>address_city / state</td><td>city / state</td><td>user</td></tr>
 *   <tr><td>address_postal_code</td><td>zip</td><td>user (5 digits; a ZIP+4 goes to zip and plus4)</td></tr>
 *   <tr><td>address_country</td><td>country</td><td>user, as a name: "United States"</td></tr>
 *   <tr><td>opt_in_status</td><td>user_mobile_subscriber (true/false)</td><td>the allowed user field</td></tr>
 *   <tr><td>constituent_id</td><td>id</td><td>the user's id</td></tr>
 * </table>
 *
 * <p>Custom user fields are named {@code user_<name>}, as ActionKit's imports and action processing name
 * them ("user_xxx", uploads.html); on the user resource they are the {@code fields} dictionary. ActionKit
 * has no export file in the seed, so rules carry API names only.
 */
public final class ActionKitMapping {
    /** The mapping's name for the user's phone of type {@code mobile}, kept in the phone resource. */
    public static final String MOBILE_PHONE = "mobile_phone";
    /** The prefix of custom (allowed) user fields, as imports and action processing name them. */
    public static final String USER_FIELD_PREFIX = "user_";
    /** The user's id: the profile's constituent ID. */
    public static final String ID = "id";

    private ActionKitMapping() {
    }

    /** The default mapping, with the opt-in field {@value ActionKitConfig#DEFAULT_OPT_IN_FIELD}. */
    public static FieldMapping defaults() {
        return defaults(ActionKitConfig.DEFAULT_OPT_IN_FIELD);
    }

    /** The default mapping with the account's own opt-in field ({@code optin.field}). */
    public static FieldMapping defaults(String optInField) {
        requireNonNull(optInField, "optInField");
        return FieldMapping.builder()
                .rule(rule(StandardField.PHONE_NUMBER, MOBILE_PHONE))
                .rule(rule(StandardField.FIRST_NAME, "first_name"))
                .rule(rule(StandardField.LAST_NAME, "last_name"))
                .rule(rule(StandardField.EMAIL, "email"))
                .rule(rule(StandardField.STREET_1, "address1"))
                .rule(rule(StandardField.STREET_2, "address2"))
                .rule(rule(StandardField.CITY, "city"))
                .rule(rule(StandardField.STATE, "state"))
                .rule(rule(StandardField.POSTAL_CODE, "zip"))
                .rule(FieldRule.builder(StandardField.COUNTRY.fieldName()).apiName("country")
                        .converter(COUNTRY_NAME).build())
                // The seed's Field Choices: "false=No" and "true=Yes": the stored values are true and false.
                .rule(FieldRule.builder(StandardField.OPT_IN_STATUS.fieldName()).apiName(USER_FIELD_PREFIX + optInField)
                        .converter(ValueConverter.yesNo("true", "false")).build())
                .rule(rule(StandardField.CONSTITUENT_ID, ID))
                .build();
    }

    /**
     * ActionKit keeps the country as a name, "United States", not a code (a recorded user: {@code
     * "country": "United States"}, affinityworks Responses.ts; imports change "US" and "USA" to "United
     * States", Uploads Reference). A profile's US in any spelling is written as that name; other values
     * and values read from ActionKit pass unchanged.
     */
    static final ValueConverter COUNTRY_NAME = new ValueConverter() {
        @Override
        public Optional<String> toLocal(String remoteValue) {
            return Optional.of(remoteValue);
        }

        @Override
        public Optional<String> toRemote(String localValue) {
            return Optional.of(Countries.countryCode(localValue).filter("US"::equals).map(us -> UNITED_STATES)
                    .orElse(localValue));
        }
    };

    /** How ActionKit names the one country the seed syncs. */
    public static final String UNITED_STATES = "United States";

    private static FieldRule rule(StandardField field, String apiName) {
        return FieldRule.builder(field.fieldName()).apiName(apiName).build();
    }
}
