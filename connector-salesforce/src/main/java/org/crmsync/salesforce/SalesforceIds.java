package org.crmsync.salesforce;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Salesforce record ids come in two forms: 15 characters, case-sensitive (what reports and the UI
 * show), and 18 characters, case-insensitive (what the API returns): the 15 plus a 3-character suffix
 * that encodes which of them are upper case. Profiles keep the 18-character form, so an id read from a
 * report export matches the id the API gave.
 *
 * <p>The suffix: split the 15 characters into three groups of 5; for each group, a 5-bit number whose
 * bit i is set when character i is an upper-case letter; each number picks a character of
 * {@code A-Z0-5}. (As implemented by Salesforce's CASESAFEID(); the algorithm is described at
 * https://codegolf.stackexchange.com/questions/69127 with test cases, e.g. {@code 001M000000qfPyS ->
 * 001M000000qfPySIAU}.)
 */
final class SalesforceIds {
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9]{15}|[a-zA-Z0-9]{18}");
    private static final String SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

    private SalesforceIds() {
    }

    /** Whether {@code value} has the form of a record id (15 or 18 letters and digits). */
    static boolean isId(String value) {
        return value != null && ID.matcher(value).matches();
    }

    /** The 18-character form of a 15- or 18-character id; empty when {@code value} is not an id. */
    static Optional<String> to18(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String id = value.strip();
        if (!isId(id)) {
            return Optional.empty();
        }
        if (id.length() == 18) {
            return Optional.of(id);
        }
        StringBuilder out = new StringBuilder(id);
        for (int group = 0; group < 3; group++) {
            int bits = 0;
            for (int i = 0; i < 5; i++) {
                char c = id.charAt(group * 5 + i);
                if (c >= 'A' && c <= 'Z') {
                    bits |= 1 << i;
                }
            }
            out.append(SUFFIX_CHARS.charAt(bits));
        }
        return Optional.of(out.toString());
    }
}
