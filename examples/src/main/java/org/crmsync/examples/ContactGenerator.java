package org.crmsync.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;

/**
 * Generates contacts that look real (names, emails, US mobile numbers, addresses) with a fixed seed,
 * including the rows a sync must skip: no mobile number, a landline or a number that is not valid, a
 * non-US country, not opted in, and the same person entered twice. Also the students of a
 * student-information system, for the ActiveCampaign half of the demo.
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

    // Student-information-system values: program codes, SONIS prospect statuses, high schools.
    private static final String[] PROGRAMS = {"BIO", "NUR", "BUS", "CS", "EDU", "PSY"};
    private static final String[] STATUSES = {"PS", "AP", "ST", "AL", "IN"};
    private static final String[] SCHOOLS = {"Roosevelt High", "Lincoln High", "Central Catholic", "Eastside Prep",
        "Westview High"};

    private final Random random;

    ContactGenerator(long seed) {
        this.random = new Random(seed);
    }

    /** A distinct valid number for each {@code n} below 48,000 within one area code. */
    private static String mobile(String area, int n) {
        return "(" + area + ") " + EXCHANGE[n % EXCHANGE.length] + "-" + (2000 + (n / EXCHANGE.length) % 8000);
    }

    /**
     * {@code count} contacts keyed by the seeds' default field names ({@code profile_first_name}, ...);
     * of every 12, the 4th has no mobile number, the 6th a landline or an invalid number, the 8th lives
     * in Canada, the 10th is not opted in and the 12th is the 11th entered again.
     */
    List<Map<String, String>> contacts(int count) {
        List<Map<String, String>> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            String[] city = CITIES[random.nextInt(CITIES.length)];
            Map<String, String> c = new LinkedHashMap<>();
            c.put("profile_first_name", first);
            c.put("profile_last_name", last);
            c.put("profile_email", (first + "." + last + i + "@example.org").toLowerCase(Locale.ROOT));
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
                    // An office landline in the mobile field (libphonenumber knows London's 020 numbers are
                    // fixed lines), or a number typed without its area code: neither can receive a text.
                    c.put("phone_number", (i / 12) % 2 == 0 ? "+44 20 7946 " + (1000 + i % 9000) : "555-0100");
                    break;
                case 7:
                    c.put("address_country", "Canada");        // outside the allowed countries
                    c.put("phone_number", "+1 " + mobile("416", i));
                    break;
                case 9:
                    c.put("opt_in_status", "false");           // conservative sync skips it
                    break;
                case 11:
                    if (i > 0) {                               // the contact before, entered again with
                        Map<String, String> before = out.get(i - 1);     // a work email: the same phone
                        c.put("profile_first_name", before.get("profile_first_name"));
                        c.put("profile_last_name", before.get("profile_last_name"));
                        c.put("profile_email", before.get("profile_first_name").toLowerCase(Locale.ROOT)
                                + "@" + before.get("profile_last_name").toLowerCase(Locale.ROOT)
                                + "-consulting.example");
                        c.put("phone_number", before.get("phone_number"));
                    }
                    break;
                default:
                    break;
            }
            out.add(c);
        }
        return out;
    }
    /**
     * The same contacts as {@link #contacts(int)} as a Salesforce user sees them: Contact fields by API
     * name, the mobile opt-in as the checkbox {@code Mobile_Subscriber__c}, the country as Salesforce's
     * country picklist spells it.
     */
    List<Map<String, Object>> salesforceContacts(int count) {
        List<Map<String, Object>> out = new ArrayList<>(count);
        for (Map<String, String> c : contacts(count)) {
            Map<String, Object> sf = new LinkedHashMap<>();
            sf.put("FirstName", c.get("profile_first_name"));
            sf.put("LastName", c.get("profile_last_name"));
            sf.put("Email", c.get("profile_email"));
            sf.put("MobilePhone", c.get("phone_number"));
            sf.put("MailingStreet", c.get("address_street_1"));
            sf.put("MailingCity", c.get("address_city"));
            sf.put("MailingState", c.get("state"));
            sf.put("MailingPostalCode", c.get("address_postal_code"));
            sf.put("MailingCountry", "US".equals(c.get("address_country")) ? "United States" : c.get("address_country"));
            sf.put("Mobile_Subscriber__c", Boolean.valueOf(c.get("opt_in_status")));
            out.add(sf);
        }
        return out;
    }

    /**
     * {@code count} students of a student-information system, with local ids {@code S00001}, ... and the
     * fields of the SONIS preset; every 50th has no email address (ActiveCampaign cannot create a
     * contact without one).
     */
    List<Profile> students(int count) {
        List<Profile> out = new ArrayList<>(count);
        for (int n = 1; n <= count; n++) {
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            String[] city = CITIES[random.nextInt(CITIES.length)];
            Profile.Builder p = Profile.builder().localId(String.format(Locale.ROOT, "S%05d", n))
                    .firstName(first).lastName(last)
                    .phoneNumber("+1" + mobile(AREA[n % AREA.length], 40_000 + n / AREA.length).replaceAll("[^0-9]", ""))
                    .street1((100 + random.nextInt(9000)) + " " + LAST[random.nextInt(LAST.length)] + " Ave")
                    .city(city[0]).state(city[1]).postalCode(city[2]).country("US")
                    .optInStatus(OptInStatus.OPTED_IN)
                    .extraField("prospect.hs_grad_year", Integer.toString(2022 + random.nextInt(5)))
                    .extraField("name.birthdate", String.format(Locale.ROOT, "%d-%02d-%02d", 2004 + random.nextInt(5),
                            1 + random.nextInt(12), 1 + random.nextInt(28)))
                    .extraField("prospect.status", STATUSES[random.nextInt(STATUSES.length)])
                    .extraField("approg.prg_cod", PROGRAMS[random.nextInt(PROGRAMS.length)])
                    .extraField("approg.sch_year", "2027")
                    .extraField("approg.semester", random.nextBoolean() ? "FA" : "SP")
                    .extraField("prospect.undergrd_attnd", SCHOOLS[random.nextInt(SCHOOLS.length)]);
            if (n % 50 != 0) {
                p.email((first + "." + last + "." + n + "@students.example.edu").toLowerCase(Locale.ROOT));
            }
            out.add(p.build());
        }
        return out;
    }

    /** A person who signed up on a form in the CRM: first name, last name, email, mobile. */
    record Signup(String firstName, String lastName, String email, String mobile) {
    }

    /** {@code count} people who exist only in the CRM (they filled in its web form). */
    List<Signup> crmSignups(int count) {
        List<Signup> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            out.add(new Signup(first, last, (first + "." + last + ".web" + i + "@example.com").toLowerCase(Locale.ROOT),
                    mobile(AREA[i % AREA.length], 44_000 + i)));
        }
        return out;
    }
}
