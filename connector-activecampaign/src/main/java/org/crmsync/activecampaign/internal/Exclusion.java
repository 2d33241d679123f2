package org.crmsync.activecampaign.internal;

import java.util.List;
import java.util.Locale;

/**
 * One entry of the account's exclusion list (Contacts > List Exclusions;
 * https://developers.activecampaign.com/reference/exclusions-retrieve-a-list): an email address, or the
 * beginning or end of one, kept out of the account's lists.
 *
 * @param matchType how {@code matchPhrase} is compared: {@code exact} and {@code end} appear in the
 *     reference's examples; the app offers "exactly matches", "begins with" and "ends with", so a type
 *     that begins with {@code begin} or {@code start} is taken for the beginning. Another type matches
 *     nothing here.
 * @param channel {@code all}, {@code allEmail}, {@code allSms} or {@code several} (with {@code lists})
 */
public record Exclusion(String id, String matchPhrase, String matchType, String channel, List<String> lists) {
    public Exclusion {
        id = id == null ? "" : id;
        matchPhrase = matchPhrase == null ? "" : matchPhrase.trim().toLowerCase(Locale.ROOT);
        matchType = matchType == null ? "" : matchType.trim().toLowerCase(Locale.ROOT);
        channel = channel == null ? "" : channel.trim();
        lists = lists == null ? List.of() : List.copyOf(lists);
    }

    /**
     * Whether this entry covers {@code email} (ignoring case). An entry for text messages only ({@code
     * allSms}) does not: it says nothing about email addresses.
     */
    public boolean covers(String email) {
        if (matchPhrase.isEmpty() || channel.equalsIgnoreCase("allSms")) {
            return false;
        }
        String e = email.trim().toLowerCase(Locale.ROOT);
        if (matchType.equals("exact")) {
            return e.equals(matchPhrase);
        }
        if (matchType.equals("end")) {
            return e.endsWith(matchPhrase);
        }
        if (matchType.startsWith("begin") || matchType.startsWith("start")) {
            return e.startsWith(matchPhrase);
        }
        return false;
    }

    /** Only the id: the phrase is (part of) an email address. */
    @Override
    public String toString() {
        return "Exclusion{" + id + ", " + matchType + ", " + channel + "}";
    }
}
