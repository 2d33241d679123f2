package org.crmsync.activecampaign;

import static java.util.Objects.requireNonNull;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crmsync.mapping.BlankHandling;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.ValueConverter;
import org.crmsync.mapping.WriteMode;
import org.crmsync.model.StandardField;

/**
 * Field mappings for ActiveCampaign contacts: {@link #defaults()}, and {@link #sonisPreset()}, the
 * seed's "Mapping Fields" table of a student-information system (SONIS) that is the system of record.
 *
 * <p>API names: the contact's own fields are {@code email}, {@code firstName}, {@code lastName} and
 * {@code phone}; any other name is a custom field, named by its personalization tag ({@code perstag},
 * e.g. {@code SONIS_ID}) or its title, and resolved to the account's numeric field id at preflight. A
 * mapped name that matches no field is a preflight problem. {@value #LIST_STATUS} is the contact's
 * status on the configured list: {@code 1} (active) reads as opted in, {@code 2} (unsubscribed) as
 * opted out, anything else as unknown. It is never written as a field: the connector sets list status
 * from each write's opt-in, and never subscribes someone who unsubscribed.
 */
public final class ActiveCampaignMapping {
    /** The pseudo field for the contact's status on the configured list. */
    public static final String LIST_STATUS = "listStatus";

    /** The SONIS field that the import sets to {@value #CREATED_BY_ACTIVECAMPAIGN} (inbound default). */
    public static final String SONIS_CREATED_BY = "prospect.inqtypecod";
    /** "Defaults to ActiveCampaign if SONIS prospect was created by first existing in ActiveCampaign." */
    public static final String CREATED_BY_ACTIVECAMPAIGN = "ActiveCampaign";
    /** The prospect statuses the seed exports: "Most recent status in SONIS when status = PS, AP, ST, or AL". */
    public static final Set<String> EXPORTED_PROSPECT_STATUSES = Set.of("PS", "AP", "ST", "AL");

    private static final Pattern YEAR = Pattern.compile("\\d{4}");
    private static final Pattern DATE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})([T ].*)?");

    private ActiveCampaignMapping() {
    }

    /**
     * The default mapping: email, first and last name and phone to the contact's own fields, the
     * opt-in to {@value #LIST_STATUS}, and the local ID to the custom field {@code SONIS_ID}, written
     * once.
     */
    public static FieldMapping defaults() {
        return defaults(ActiveCampaignConfig.DEFAULT_LOCAL_ID_FIELD);
    }

    /** The default mapping with the account's own local-ID field (the {@code local.id.field} setting). */
    public static FieldMapping defaults(String localIdField) {
        requireNonNull(localIdField, "localIdField");
        return FieldMapping.builder()
                .rule(rule(StandardField.EMAIL.fieldName(), "email").build())
                .rule(rule(StandardField.FIRST_NAME.fieldName(), "firstName").build())
                .rule(rule(StandardField.LAST_NAME.fieldName(), "lastName").build())
                .rule(rule(StandardField.PHONE_NUMBER.fieldName(), "phone").build())
                .rule(optInRule())
                .rule(localIdRule(localIdField))
                .build();
    }

    /**
     * The seed's "Mapping Fields" table (SONIS to ActiveCampaign) as a mapping. Local fields are the
     * library's standard fields where the table has one (name, email, street, city, state, zip, cell
     * phone, the SONIS ID as {@code local_id}) and otherwise the SONIS column names (for example
     * {@code prospect.hs_grad_year}). ActiveCampaign custom fields are named by the personalization
     * tags ActiveCampaign derives from the table's titles; an institution whose fields are named
     * otherwise replaces the API names with {@link FieldMapping#toBuilder()} (titles work too).
     *
     * <p>The column "Changeable in ActiveCampaign?" becomes each rule's write and blank handling. SONIS
     * is the system of record and "will overwrite that change with the current information in SONIS",
     * so every mapped field is written on every export ({@link WriteMode#ALWAYS}), except the SONIS ID,
     * which "updates once only" ({@link WriteMode#ONLY_WHEN_EMPTY}). The column decides what a blank in
     * SONIS does: a field that is not changeable in ActiveCampaign ("No") belongs to SONIS alone, so a
     * blank in SONIS clears it in ActiveCampaign ({@link BlankHandling#CLEAR}); a field that is
     * changeable there ("Yes") keeps what ActiveCampaign users entered until SONIS has a value of its
     * own ({@link BlankHandling#SKIP}). "No" does not mean {@link WriteMode#NEVER}: that would stop SONIS
     * from ever writing the fields it owns, the opposite of the seed.
     *
     * <table>
     *   <caption>The SONIS preset</caption>
     *   <tr><th>SONIS field</th><th>local field</th><th>ActiveCampaign field</th><th>changeable</th><th>rule</th></tr>
     *   <tr><td>prospect.hs_grad_year</td><td>prospect.hs_grad_year</td><td>HS_GRAD_DATE</td><td>No</td><td>year to May 30 of that year (YYYY-05-30)</td></tr>
     *   <tr><td>name.first_name</td><td>profile_first_name</td><td>firstName</td><td>No</td><td></td></tr>
     *   <tr><td>name.last_name</td><td>profile_last_name</td><td>lastName</td><td>No</td><td></td></tr>
     *   <tr><td>name.nickname</td><td>name.nickname</td><td>PREFERRED_NAME</td><td>No</td><td></td></tr>
     *   <tr><td>name.birthdate</td><td>name.birthdate</td><td>BIRTHDATE</td><td>No</td><td></td></tr>
     *   <tr><td>nmrefby.refer_by</td><td>nmrefby.refer_by</td><td>LEAD_PROVIDER</td><td>No</td><td></td></tr>
     *   <tr><td>prospect.date_rec</td><td>prospect.date_rec</td><td>SUBSCRIBED_DATE</td><td>No</td><td></td></tr>
     *   <tr><td>prospect.inqtypecod</td><td>prospect.inqtypecod</td><td>OPPORTUNITY_CREATED_BY</td><td>No</td><td>imports set ActiveCampaign</td></tr>
     *   <tr><td>prospect.memo1</td><td>prospect.memo1</td><td>HOW_DID_YOU_HEAR_ABOUT_INSTITUTION</td><td>No</td><td></td></tr>
     *   <tr><td>prospect.agency</td><td>prospect.agency</td><td>ADMISSIONS_REP</td><td>Yes</td><td></td></tr>
     *   <tr><td>address.st_addr + add_addr + add_add2</td><td>address_street_1 + address_street_2 + address.add_add2</td><td>HOME_ADDRESS</td><td>Yes</td><td>joined with ", " (split back on import)</td></tr>
     *   <tr><td>address.city</td><td>address_city</td><td>HOME_CITY</td><td>Yes</td><td></td></tr>
     *   <tr><td>address.state</td><td>state</td><td>HOME_STATE</td><td>Yes</td><td></td></tr>
     *   <tr><td>address.zip</td><td>address_postal_code</td><td>HOME_ZIP_CODEPOSTAL_CODE</td><td>Yes</td><td></td></tr>
     *   <tr><td>address.email</td><td>profile_email</td><td>email</td><td>Yes</td><td></td></tr>
     *   <tr><td>address.email2</td><td>address.email2</td><td>PERSONAL_EMAIL</td><td>Yes</td><td></td></tr>
     *   <tr><td>address.phone</td><td>address.phone</td><td>HOME_PHONE</td><td>Yes</td><td></td></tr>
     *   <tr><td>address.cell_phone</td><td>phone_number</td><td>phone</td><td>Yes</td><td></td></tr>
     *   <tr><td>SONIS mod stat</td><td>prospect.status</td><td>PROSPECT_STATUS</td><td>Yes</td><td>exported only when PS, AP, ST or AL</td></tr>
     *   <tr><td>approg.prg_cod</td><td>approg.prg_cod</td><td>PROGRAM_OF_INTEREST</td><td>Yes</td><td></td></tr>
     *   <tr><td>approg.progentry_date</td><td>approg.progentry_date</td><td>START_DATE</td><td>Yes</td><td></td></tr>
     *   <tr><td>approg.sch_year + approg.semester</td><td>approg.sch_year + approg.semester</td><td>START_TERM</td><td>Yes</td><td>joined with " "</td></tr>
     *   <tr><td>address.text_me</td><td>address.text_me</td><td>OKAY_TO_TEXT</td><td>Yes</td><td></td></tr>
     *   <tr><td>prospect.undergrd_attnd</td><td>prospect.undergrd_attnd</td><td>HIGH_SCHOOL_NAME</td><td>No</td><td></td></tr>
     *   <tr><td>name.sonis_id</td><td>local_id</td><td>SONIS_ID</td><td>No</td><td>written once</td></tr>
     *   <tr><td>(unsubscribed)</td><td>opt_in_status</td><td>listStatus</td><td></td><td>1 = opted in, 2 = opted out; never written as a field</td></tr>
     * </table>
     */
    public static FieldMapping sonisPreset() {
        return FieldMapping.builder()
                .rule(sonisOwned("prospect.hs_grad_year", "HS_GRAD_DATE").converter(graduationYearToMay30()).build())
                .rule(sonisOwned(StandardField.FIRST_NAME.fieldName(), "firstName").build())
                .rule(sonisOwned(StandardField.LAST_NAME.fieldName(), "lastName").build())
                .rule(sonisOwned("name.nickname", "PREFERRED_NAME").build())
                .rule(sonisOwned("name.birthdate", "BIRTHDATE").build())
                .rule(sonisOwned("nmrefby.refer_by", "LEAD_PROVIDER").build())
                .rule(sonisOwned("prospect.date_rec", "SUBSCRIBED_DATE").build())
                .rule(sonisOwned(SONIS_CREATED_BY, "OPPORTUNITY_CREATED_BY").build())
                .rule(sonisOwned("prospect.memo1", "HOW_DID_YOU_HEAR_ABOUT_INSTITUTION").build())
                .rule(changeable("prospect.agency", "ADMISSIONS_REP").build())
                .rule(changeable(StandardField.STREET_1.fieldName(), "HOME_ADDRESS")
                        .joinWith(", ", StandardField.STREET_2.fieldName(), "address.add_add2").build())
                .rule(changeable(StandardField.CITY.fieldName(), "HOME_CITY").build())
                .rule(changeable(StandardField.STATE.fieldName(), "HOME_STATE").build())
                .rule(changeable(StandardField.POSTAL_CODE.fieldName(), "HOME_ZIP_CODEPOSTAL_CODE").build())
                .rule(changeable(StandardField.EMAIL.fieldName(), "email").build())
                .rule(changeable("address.email2", "PERSONAL_EMAIL").build())
                .rule(changeable("address.phone", "HOME_PHONE").build())
                .rule(changeable(StandardField.PHONE_NUMBER.fieldName(), "phone").build())
                .rule(changeable("prospect.status", "PROSPECT_STATUS")
                        .converter(exportedOnlyWhen(EXPORTED_PROSPECT_STATUSES)).build())
                .rule(changeable("approg.prg_cod", "PROGRAM_OF_INTEREST").build())
                .rule(changeable("approg.progentry_date", "START_DATE").build())
                .rule(changeable("approg.sch_year", "START_TERM").joinWith(" ", "approg.semester").build())
                .rule(changeable("address.text_me", "OKAY_TO_TEXT").build())
                .rule(sonisOwned("prospect.undergrd_attnd", "HIGH_SCHOOL_NAME").build())
                .rule(localIdRule(ActiveCampaignConfig.DEFAULT_LOCAL_ID_FIELD))
                .rule(optInRule())
                .build();
    }

    /**
     * The seed's "HS Grad Date: Defaults to May 30 of graduation year": a year ({@code 2026}) is written
     * as the date {@code 2026-05-30}, ActiveCampaign's date format ({@code YYYY-MM-DD}); reading takes the
     * year of the date.
     */
    public static ValueConverter graduationYearToMay30() {
        return new ValueConverter() {
            @Override
            public Optional<String> toLocal(String remoteValue) {
                Matcher m = DATE.matcher(remoteValue.trim());
                if (m.matches()) {
                    return Optional.of(m.group(1));
                }
                if (YEAR.matcher(remoteValue.trim()).matches()) {
                    return Optional.of(remoteValue.trim());
                }
                throw new IllegalArgumentException("'" + remoteValue + "' is not a date (YYYY-MM-DD)");
            }

            @Override
            public Optional<String> toRemote(String localValue) {
                String year = localValue.trim();
                if (!YEAR.matcher(year).matches()) {
                    throw new IllegalArgumentException("'" + localValue + "' is not a graduation year (YYYY)");
                }
                try {
                    return Optional.of(LocalDate.of(Integer.parseInt(year), 5, 30).toString());
                } catch (DateTimeException e) {
                    throw new IllegalArgumentException("'" + localValue + "' is not a graduation year (YYYY)", e);
                }
            }

            @Override
            public String toString() {
                return "graduationYearToMay30";
            }
        };
    }

    /**
     * Exports a value only when it is one of {@code allowed} (compared ignoring case and surrounding
     * spaces; the seed's prospect statuses PS, AP, ST, AL); any other value is not exported, so the CRM
     * keeps what it has. Reading passes values through.
     */
    public static ValueConverter exportedOnlyWhen(Set<String> allowed) {
        Set<String> codes = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        requireNonNull(allowed, "allowed").forEach(a -> codes.add(requireNonNull(a, "allowed[]").trim()));
        return new ValueConverter() {
            @Override
            public Optional<String> toLocal(String remoteValue) {
                return Optional.of(remoteValue);
            }

            @Override
            public Optional<String> toRemote(String localValue) {
                String v = localValue.trim();
                return codes.contains(v) ? Optional.of(v.toUpperCase(Locale.ROOT)) : Optional.empty();
            }

            @Override
            public String toString() {
                return "exportedOnlyWhen" + codes;
            }
        };
    }

    /**
     * A contact's status on the configured list as the opt-in: {@code 1} (active) is opted in, {@code
     * 2} (unsubscribed) opted out, {@code 0} (unconfirmed) and {@code 3} (bounced) say nothing about
     * consent (list status codes: https://help.activecampaign.com/hc/en-us/articles/221073788, and the
     * contactLists reference).
     */
    public static ValueConverter listStatus() {
        return new ValueConverter() {
            @Override
            public Optional<String> toLocal(String remoteValue) {
                switch (remoteValue.trim()) {
                    case "1": return Optional.of("true");
                    case "2": return Optional.of("false");
                    default: return Optional.empty();
                }
            }

            @Override
            public Optional<String> toRemote(String localValue) {
                switch (localValue.trim().toLowerCase(Locale.ROOT)) {
                    case "true": return Optional.of("1");
                    case "false": return Optional.of("2");
                    default: return Optional.empty();
                }
            }

            @Override
            public String toString() {
                return "listStatus";
            }
        };
    }

    private static FieldRule optInRule() {
        // Written through the write's opt-in (list status), never as a field value.
        return rule(StandardField.OPT_IN_STATUS.fieldName(), LIST_STATUS).converter(listStatus())
                .writeMode(WriteMode.NEVER).build();
    }

    private static FieldRule localIdRule(String apiName) {
        // "Updates once only": written while the contact has no local ID, never changed afterwards.
        return rule(StandardField.LOCAL_ID.fieldName(), apiName).writeMode(WriteMode.ONLY_WHEN_EMPTY).build();
    }

    /** "Changeable in ActiveCampaign? No": SONIS owns the value, a blank in SONIS clears it. */
    private static FieldRule.Builder sonisOwned(String localField, String apiName) {
        return rule(localField, apiName).writeMode(WriteMode.ALWAYS).blankHandling(BlankHandling.CLEAR);
    }

    /** "Changeable in ActiveCampaign? Yes": SONIS's value wins, a blank in SONIS leaves ActiveCampaign's. */
    private static FieldRule.Builder changeable(String localField, String apiName) {
        return rule(localField, apiName).writeMode(WriteMode.ALWAYS).blankHandling(BlankHandling.SKIP);
    }

    private static FieldRule.Builder rule(String localField, String apiName) {
        return FieldRule.builder(localField).apiName(apiName);
    }
}
