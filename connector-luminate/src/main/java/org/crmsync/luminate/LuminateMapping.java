package org.crmsync.luminate;

import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.ValueConverter;
import org.crmsync.model.StandardField;

/**
 * The default field mapping for Luminate constituents. API names are the dotted names Luminate reads
 * and sets them by (getConsResponse paths; listUserFields: "the name of the HTTP parameter to use to set
 * the field"); reference notes §3.3. No CSV headings: the changed-records file only names which
 * constituents changed, and each is read whole through {@code getUser}.
 *
 * <table>
 *   <caption>Default mapping</caption>
 *   <tr><th>profile field</th><th>Luminate</th></tr>
 *   <tr><td>phone_number</td><td>mobile_phone</td></tr>
 *   <tr><td>opt_in_status</td><td>the {@code optin.field} custom boolean, e.g. custom_boolean50
 *       ({@code "true"}/{@code "false"})</td></tr>
 *   <tr><td>profile_first_name, profile_last_name</td><td>name.first, name.last</td></tr>
 *   <tr><td>profile_email</td><td>email.primary_address (read; written as primary_email)</td></tr>
 *   <tr><td>address_street_1, address_street_2, address_city, state, address_postal_code,
 *       address_country</td><td>primary_address.street1, .street2, .city, .state, .zip, .country</td></tr>
 *   <tr><td>constituent_id</td><td>cons_id</td></tr>
 * </table>
 */
public final class LuminateMapping {
    public static final String CONS_ID = "cons_id";
    public static final String EMAIL = "email.primary_address";
    /** The parameter that sets the primary email (reference notes §3.3). */
    public static final String PRIMARY_EMAIL = "primary_email";
    public static final String MOBILE_PHONE = "mobile_phone";
    public static final String FIRST_NAME = "name.first";
    public static final String LAST_NAME = "name.last";

    private LuminateMapping() {
    }

    /** The default mapping with the opt-in in {@code optInField}. */
    public static FieldMapping defaults(String optInField) {
        return FieldMapping.builder()
                .rule(rule(StandardField.PHONE_NUMBER, MOBILE_PHONE))
                .rule(FieldRule.builder(StandardField.OPT_IN_STATUS.fieldName()).apiName(optInField)
                        .converter(ValueConverter.yesNo("true", "false")).build())
                .rule(rule(StandardField.FIRST_NAME, FIRST_NAME))
                .rule(rule(StandardField.LAST_NAME, LAST_NAME))
                .rule(rule(StandardField.EMAIL, EMAIL))
                .rule(rule(StandardField.STREET_1, "primary_address.street1"))
                .rule(rule(StandardField.STREET_2, "primary_address.street2"))
                .rule(rule(StandardField.CITY, "primary_address.city"))
                .rule(rule(StandardField.STATE, "primary_address.state"))
                .rule(rule(StandardField.POSTAL_CODE, "primary_address.zip"))
                .rule(rule(StandardField.COUNTRY, "primary_address.country"))
                .rule(rule(StandardField.CONSTITUENT_ID, CONS_ID))
                .build();
    }

    /** The parameter that sets a field read as {@code apiName}. */
    static String parameter(String apiName) {
        return apiName.equals(EMAIL) ? PRIMARY_EMAIL : apiName;
    }

    private static FieldRule rule(StandardField field, String apiName) {
        return FieldRule.builder(field.fieldName()).apiName(apiName).build();
    }
}
