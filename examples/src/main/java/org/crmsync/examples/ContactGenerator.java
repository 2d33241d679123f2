package org.crmsync.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates contacts that look real (names, emails, US mobile numbers, addresses) with a fixed seed,
 * including the rows a sync must skip: no mobile number, a landline-style number that is not valid, a
 * non-US country, not opted in, and duplicates of the same phone number.
 */
final class ContactGenerator {
    private static final String[] FIRST = {"Ana", "Ben", "Chloe", "Diego", "Elena", "Farah", "Gabe", "Hana", "Ivan",
        "Jada", "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vic",
        "Wen", "Ximena", "Yusuf", "Zoe"};
    private static final String[] LAST = {"Garcia", "Smith", "Nguyen", "Johnson", "Okafor", "Kim", "Patel", "Lopez",
        "Brown", "Cohen", "Rossi", "Haddad", "Silva", "Walker", "Ito", "Murphy"};
    private static final String[][] CITIES = {{"Oakland", "CA", "94612"}, {"Austin", "TX", "78701"},
        {"Denver", "CO", "80202"}, {"Atlanta", "GA", "30303"}, {"Chicago", "IL", "60601"},
        {"Portland", "OR", "97205"}, {"Madison", "WI", "53703"}, {"Richmond", "VA", "23219"}};
    // Area codes in service (libphonenumber accepts them); exchange 555 lines 2000-9999 are valid numbers.
    private static final String[] AREA = {"415", "512", "303", "404", "312", "503", "608", "804"};

    // Exchanges and lines libphonenumber accepts; with 8 area codes this gives 384,000 distinct numbers.
    private static final String[] EXCHANGE = {"555", "234", "321", "456", "654", "789"};

    private final Random random;

    ContactGenerator(long seed) {
        this.random = new Random(seed);
    }

    /** A distinct valid number for each {@code n} below 48,000 within one area code. */
    private static String mobile(String area, int n) {
        return "(" + area + ") " + EXCHANGE[n % EXCHANGE.length] + "-" + (2000 + (n / EXCHANGE.length) % 8000);
    }

    /** {@code count} contacts keyed by API field name; about 1 in 12 is one the sync must skip. */
    List<Map<String, String>> contacts(int count) {
        List<Map<String, String>> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            String[] city = CITIES[random.nextInt(CITIES.length)];
            Map<String, String> c = new LinkedHashMap<>();
            c.put("profile_first_name", first);
            c.put("profile_last_name", last);
            c.put("profile_email", (first + "." + last + i + "@example.org").toLowerCase(java.util.Locale.ROOT));
            c.put("phone_number", mobile(AREA[i % AREA.length], i / AREA.length));
            c.put("address_street_1", (100 + random.nextInt(9000)) + " " + LAST[random.nextInt(LAST.length)] + " St");
            c.put("address_city", city[0]);
            c.put("state", city[1]);
            c.put("address_postal_code", city[2]);
            c.put("address_country", "US");
            c.put("opt_in_status", "true");
            switch (i % 12) {
                case 3:
                    c.put("phone_number", "");                 // no mobile number
                    break;
                case 5:
                    c.put("phone_number", "555-0100");         // not a valid number
                    break;
                case 7:
                    c.put("address_country", "Canada");        // outside the allowed countries
                    c.put("phone_number", "+1 " + mobile("416", i));
                    break;
                case 9:
                    c.put("opt_in_status", "false");           // conservative sync skips it
                    break;
                case 11:
                    if (i > 0) {                               // same phone as the contact before
                        c.put("phone_number", out.get(i - 1).get("phone_number"));
                    }
                    break;
                default:
                    break;
            }
            out.add(c);
        }
        return out;
    }
}
