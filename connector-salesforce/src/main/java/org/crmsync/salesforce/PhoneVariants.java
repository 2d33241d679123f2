package org.crmsync.salesforce;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The spellings under which a mobile number is likely stored in Salesforce. Phone fields are free text
 * (no E.164 enforcement) and SOQL compares them literally, so a lookup asks for each likely form: E.164
 * (what this library writes), the national format ({@code (512) 555-0142}: how Salesforce's UI formats
 * a 10-digit number typed by a user with a US or Canadian locale) and the bare national digits
 * (imports). The engine then matches the candidates on the normalized number. Each form costs about
 * 30 characters of query URI per profile, which is why rarer spellings are not asked for.
 * (SOSL's phone search would normalize, but its index is updated asynchronously, so a contact created
 * seconds ago, say by a run that crashed, may be missing: unsafe for duplicate prevention.)
 */
final class PhoneVariants {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    private PhoneVariants() {
    }

    /** The forms of an E.164 number, E.164 first; just the value itself when it cannot be parsed. */
    static List<String> of(String e164) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(e164);
        try {
            PhoneNumber number = PHONES.parse(e164, "ZZ");
            forms.add(PHONES.format(number, PhoneNumberFormat.E164));
            forms.add(PHONES.format(number, PhoneNumberFormat.NATIONAL));
            forms.add(PHONES.getNationalSignificantNumber(number));
        } catch (NumberParseException e) {
            // Not a number libphonenumber reads: look for the stored text as it is.
        }
        return List.copyOf(forms);
    }
}
