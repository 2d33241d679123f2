package org.crmsync.phone;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The spellings under which a mobile number is likely stored in a CRM whose phone fields are free text
 * and whose queries compare text exactly (Salesforce keeps a number as it was typed or imported; its
 * UI reformats only a 10-digit number typed by a user with a US or Canadian locale): a lookup that
 * misses the stored spelling creates a duplicate. A lookup therefore asks for each likely form; the
 * engine then matches the candidates on the normalized number.
 *
 * <p>Every number: E.164 ({@code +14155552671}: what this library writes), the national format
 * ({@code (415) 555-2671}: Salesforce's UI formatting, for one), the bare national digits ({@code 4155552671}:
 * imports) and the international format ({@code +1 415-555-2671}: what libphonenumber-based apps and
 * many exports write).
 *
 * <p>North American numbers (country code 1) also in the spellings people and tools commonly type or
 * import (a review found contacts stored in each of them duplicated, since SOQL missed them):
 * <ul>
 *   <li>{@code 14155552671}: E.164 without the {@code +} (SMS platforms' exports);
 *   <li>{@code 415-555-2671} and {@code 1-415-555-2671}: dashes, with and without the trunk prefix;
 *   <li>{@code 415.555.2671}: dots;
 *   <li>{@code +1 415 555 2671}: E.164 grouped with spaces;
 *   <li>{@code +1 (415) 555-2671}: the UI's format behind the country code;
 *   <li>{@code (415)555-2671}: the UI's format without its space.
 * </ul>
 *
 * <p>Each form costs about 15 to 20 characters of a lookup statement per profile (Salesforce sends its
 * statements in a Composite request, up to SOQL's 100,000 characters each; see {@code
 * ContactQueries.lookups}); rarer spellings are not asked for. (SOSL's phone search would normalize,
 * but its index is updated asynchronously, so a contact created seconds ago, say by a run that
 * crashed, may be missing: unsafe for duplicate prevention.)
 */
public final class PhoneVariants {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final int NORTH_AMERICA = 1;

    private PhoneVariants() {
    }

    /** The forms of an E.164 number, E.164 first; just the value itself when it cannot be parsed. */
    public static List<String> of(String e164) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(e164);
        try {
            PhoneNumber number = PHONES.parse(e164, "ZZ");
            forms.add(PHONES.format(number, PhoneNumberFormat.E164));
            forms.add(PHONES.format(number, PhoneNumberFormat.NATIONAL));
            String digits = PHONES.getNationalSignificantNumber(number);
            forms.add(digits);
            forms.add(PHONES.format(number, PhoneNumberFormat.INTERNATIONAL));
            if (number.getCountryCode() == NORTH_AMERICA && digits.length() == 10) {
                String area = digits.substring(0, 3);
                String exchange = digits.substring(3, 6);
                String line = digits.substring(6);
                forms.add("1" + digits);
                forms.add(area + "-" + exchange + "-" + line);
                forms.add("1-" + area + "-" + exchange + "-" + line);
                forms.add(area + "." + exchange + "." + line);
                forms.add("+1 " + area + " " + exchange + " " + line);
                forms.add("+1 (" + area + ") " + exchange + "-" + line);
                forms.add("(" + area + ")" + exchange + "-" + line);
            }
        } catch (NumberParseException e) {
            // Not a number libphonenumber reads: look for the stored text as it is.
        }
        return List.copyOf(forms);
    }
}
