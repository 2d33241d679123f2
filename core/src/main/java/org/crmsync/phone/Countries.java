package org.crmsync.phone;

import static java.util.Objects.requireNonNull;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.Optional;

/**
 * Country field values as CRMs hold them ("US", "usa", "U.S.A.", "United States of America",
 * "United Kingdom", "UK", "Canada") to ISO 3166 alpha-2 codes.
 *
 * <p>Known are every code of {@link Locale#getISOCountries()}, its alpha-3 code, its English name as
 * the JDK gives it, and a few common aliases (UK, Great Britain, England, America, Holland, South
 * Korea, Ivory Coast...). Case, accents, dots, spaces and punctuation are ignored.
 */
public final class Countries {
    private static final java.util.regex.Pattern MARKS = java.util.regex.Pattern.compile("\\p{M}");
    private static final java.util.regex.Pattern NOT_KEY = java.util.regex.Pattern.compile("[^a-z0-9]");
    private static final Map<String, String> CODES_BY_KEY = index();
    /** Answers of {@link #countryCode} by value, up to {@link #MAX_ANSWERS} distinct values. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Answer> ANSWERS =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_ANSWERS = 4_096;

    private Countries() {}

    /** Values that mean "no country" in exported data, not Namibia ({@code NA}) or Norway ({@code NO}). */
    private static final java.util.Set<String> NO_VALUE = java.util.Set.of("na", "no", "none", "unknown", "null",
            "nil", "notapplicable", "notavailable", "notgiven", "tbd", "x", "xx");

    /**
     * The ISO 3166 alpha-2 code for a country field value; empty when blank, a "no value" marker such
     * as {@code N/A}, or not recognised.
     */
    public static Optional<String> countryCode(String countryFieldValue) {
        requireNonNull(countryFieldValue, "countryFieldValue");
        return answer(countryFieldValue).code();
    }

    /** What {@link #countryCode} and {@link #isNoValue} say of one value. */
    private record Answer(boolean noValue, Optional<String> code) {
    }

    // Asked for every record of a sync, of a few values ("US", "United States"): the answers are kept.
    private static Answer answer(String value) {
        Answer known = ANSWERS.get(value);
        if (known == null) {
            known = new Answer(noValue(value), codeOf(value));
            if (ANSWERS.size() < MAX_ANSWERS) {
                ANSWERS.put(value, known);
            }
        }
        return known;
    }

    private static Optional<String> codeOf(String countryFieldValue) {
        if (noValue(countryFieldValue)) {
            return Optional.empty();
        }
        String key = key(countryFieldValue);
        return key.isEmpty() ? Optional.empty() : Optional.ofNullable(CODES_BY_KEY.get(key));
    }

    /**
     * Whether a country field value is a placeholder for "no value" ({@code N/A}, {@code none},
     * {@code unknown}, ...). Only an exact two-letter {@code NA} or {@code NO} in capitals is read as a
     * country code (Namibia, Norway); {@code n/a}, {@code No} and {@code na} are not.
     */
    public static boolean isNoValue(String countryFieldValue) {
        return answer(requireNonNull(countryFieldValue, "countryFieldValue")).noValue();
    }

    private static boolean noValue(String countryFieldValue) {
        String trimmed = countryFieldValue.strip();
        if (trimmed.equals("NA") || trimmed.equals("NO")) {
            return false;
        }
        return NO_VALUE.contains(key(trimmed));
    }

    /** Lower-case letters and digits only, without accents: "U.S.A." and "u s a" both become "usa". */
    static String key(String value) {
        // Read for every record of a sync, almost always plain ASCII ("US", "United States"): that is
        // lower-cased and stripped of what is not a letter or digit without a regex or Unicode decomposition.
        StringBuilder plain = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                return keyOfAnyText(value);
            }
            if (c >= 'A' && c <= 'Z') {
                plain.append((char) (c + ('a' - 'A')));
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                plain.append(c);
            } else if (c == '&') {
                plain.append("and");
            }
        }
        return plain.toString();
    }

    private static String keyOfAnyText(String value) {
        String decomposed = Normalizer.normalize(value, Normalizer.Form.NFD);
        return NOT_KEY.matcher(MARKS.matcher(decomposed).replaceAll("").toLowerCase(Locale.ROOT)
                .replace("&", "and")).replaceAll("");
    }



    private static Map<String, String> index() {
        Map<String, String> codes = new HashMap<>();
        String[] isoCountries = Locale.getISOCountries();
        // Codes first, so that no name can shadow a code.
        for (String code : isoCountries) {
            codes.put(key(code), code);
        }
        for (String code : isoCountries) {
            Locale country = new Locale.Builder().setRegion(code).build();
            try {
                codes.putIfAbsent(key(country.getISO3Country()), code);
            } catch (MissingResourceException e) {
                // The JDK knows no alpha-3 code for this one; its alpha-2 code and name still work.
            }
            codes.putIfAbsent(key(country.getDisplayCountry(Locale.ENGLISH)), code);
        }
        // Names people use that are not the JDK's English name (which changes between CLDR versions).
        String[][] aliases = {
            {"US", "America", "United States of America", "U.S. of America"},
            {"GB", "UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland",
                "United Kingdom of Great Britain and Northern Ireland"},
            {"KR", "South Korea", "Korea", "Republic of Korea", "Korea, Republic of"},
            {"KP", "North Korea"},
            {"RU", "Russia", "Russian Federation"},
            {"VN", "Vietnam", "Viet Nam"},
            {"CZ", "Czech Republic", "Czechia"},
            {"NL", "Holland", "The Netherlands", "Netherlands"},
            {"CI", "Ivory Coast", "Cote d'Ivoire"},
            {"TR", "Turkey", "Turkiye"},
            {"MM", "Burma", "Myanmar"},
            {"MK", "Macedonia", "North Macedonia"},
            {"SZ", "Swaziland", "Eswatini"},
            {"HK", "Hong Kong"},
            {"MO", "Macau", "Macao"},
            {"VA", "Vatican", "Vatican City", "Holy See"},
            {"PS", "Palestine"},
            {"CV", "Cape Verde", "Cabo Verde"},
            {"TL", "East Timor", "Timor-Leste"},
            {"IE", "Republic of Ireland", "Ireland"},
            {"AE", "UAE", "U.A.E."},
            {"BO", "Bolivia"},
            {"VE", "Venezuela"},
            {"IR", "Iran"},
            {"SY", "Syria"},
            {"TZ", "Tanzania"},
            {"MD", "Moldova"},
            {"LA", "Laos"},
            {"BN", "Brunei"},
            {"FM", "Micronesia"},
            {"TW", "Taiwan"},
            {"CD", "Democratic Republic of the Congo", "DR Congo", "DRC", "Congo-Kinshasa"},
            {"CG", "Republic of the Congo", "Congo-Brazzaville"},
            {"BA", "Bosnia", "Bosnia and Herzegovina"},
            {"TT", "Trinidad", "Trinidad and Tobago"},
            {"VI", "US Virgin Islands", "U.S. Virgin Islands"},
            {"VG", "British Virgin Islands"},
        };
        for (String[] alias : aliases) {
            for (int i = 1; i < alias.length; i++) {
                codes.put(key(alias[i]), alias[0]);
            }
        }
        return Map.copyOf(codes);
    }
}
