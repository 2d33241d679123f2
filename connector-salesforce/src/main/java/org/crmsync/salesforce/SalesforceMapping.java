package org.crmsync.salesforce;

import static java.util.Objects.requireNonNull;

import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.ValueConverter;
import org.crmsync.model.StandardField;

/**
 * The default field mapping for Salesforce Contacts: the seed's profile fields to Contact API names,
 * and to the column headings a Contact report shows in its CSV export.
 *
 * <table>
 *   <caption>Default mapping</caption>
 *   <tr><th>profile field</th><th>API name</th><th>CSV heading</th></tr>
 *   <tr><td>phone_number</td><td>MobilePhone</td><td>Mobile</td></tr>
 *   <tr><td>profile_first_name</td><td>FirstName</td><td>First Name</td></tr>
 *   <tr><td>profile_last_name</td><td>LastName</td><td>Last Name</td></tr>
 *   <tr><td>profile_email</td><td>Email</td><td>Email</td></tr>
 *   <tr><td>address_street_1 + address_street_2</td><td>MailingStreet (two lines)</td><td>Mailing Street</td></tr>
 *   <tr><td>address_city</td><td>MailingCity</td><td>Mailing City</td></tr>
 *   <tr><td>state</td><td>MailingState</td><td>Mailing State/Province</td></tr>
 *   <tr><td>address_postal_code</td><td>MailingPostalCode</td><td>Mailing Zip/Postal Code</td></tr>
 *   <tr><td>address_country</td><td>MailingCountry</td><td>Mailing Country</td></tr>
 *   <tr><td>opt_in_status</td><td>Mobile_Subscriber__c (true/false)</td><td>Mobile Subscriber</td></tr>
 *   <tr><td>constituent_id</td><td>Id</td><td>Contact ID</td></tr>
 * </table>
 *
 * <p>Street: Salesforce keeps the whole street in one multi-line field ({@code MailingStreet}, a
 * 255-character text area; the compound {@code MailingAddress} is read-only). {@code address_street_1}
 * and {@code address_street_2} are written as its first and second line, and reading it back splits
 * it on the first line break (any further lines stay in {@code address_street_2}).
 *
 * <p>CSV headings are the labels a report gives the columns in an org with default labels; a report
 * can rename columns, so set the headings of your own export with {@link FieldMapping#toBuilder()}.
 * The Contact ID column is required: it is each row's record id.
 */
public final class SalesforceMapping {
    private SalesforceMapping() {
    }

    /** The default mapping, with the opt-in field {@value SalesforceConfig#DEFAULT_OPT_IN_FIELD}. */
    public static FieldMapping defaults() {
        return defaults(SalesforceConfig.DEFAULT_OPT_IN_FIELD);
    }

    /** The default mapping with the org's own mobile opt-in field (the {@code optin.field} setting). */
    public static FieldMapping defaults(String optInField) {
        requireNonNull(optInField, "optInField");
        return FieldMapping.builder()
                .rule(rule(StandardField.PHONE_NUMBER, "MobilePhone", "Mobile"))
                .rule(rule(StandardField.FIRST_NAME, "FirstName", "First Name"))
                .rule(rule(StandardField.LAST_NAME, "LastName", "Last Name"))
                .rule(rule(StandardField.EMAIL, "Email", "Email"))
                .rule(FieldRule.builder(StandardField.STREET_1.fieldName()).apiName("MailingStreet")
                        .csvHeading("Mailing Street").joinWith("\n", StandardField.STREET_2.fieldName()).build())
                .rule(rule(StandardField.CITY, "MailingCity", "Mailing City"))
                .rule(rule(StandardField.STATE, "MailingState", "Mailing State/Province"))
                .rule(rule(StandardField.POSTAL_CODE, "MailingPostalCode", "Mailing Zip/Postal Code"))
                .rule(rule(StandardField.COUNTRY, "MailingCountry", "Mailing Country"))
                // A checkbox: the API reads and writes JSON true/false; a report export shows it as 1/0,
                // which the converter also reads.
                .rule(FieldRule.builder(StandardField.OPT_IN_STATUS.fieldName()).apiName(optInField)
                        .csvHeading("Mobile Subscriber").converter(ValueConverter.yesNo("true", "false")).build())
                .rule(rule(StandardField.CONSTITUENT_ID, "Id", "Contact ID"))
                .build();
    }

    private static FieldRule rule(StandardField field, String apiName, String csvHeading) {
        return FieldRule.builder(field.fieldName()).apiName(apiName).csvHeading(csvHeading).build();
    }
}
