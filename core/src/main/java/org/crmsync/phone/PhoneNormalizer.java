package org.crmsync.phone;

import static java.util.Objects.requireNonNull;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneMetadata;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneNumberDesc;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.metadata.DefaultMetadataDependenciesProvider;
import com.google.i18n.phonenumbers.metadata.source.MetadataSource;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns phone values as people type them into CRMs ({@code "(415) 555-2671"}, {@code "415.555.2671"},
 * {@code "+44 7400 123456"}) into E.164, and tells whether the number can be a mobile. Numbers without
 * a country code are read as numbers of the normalizer's region. Immutable and thread-safe.
 *
 * <p>Validity and number types come from libphonenumber's metadata. It cannot tell US and Canadian
 * mobiles from landlines ({@code FIXED_LINE_OR_MOBILE}), so those pass; numbers it knows are fixed
 * lines, toll-free, premium rate, shared cost, VoIP, personal, pager, UAN or voicemail are {@link
 * PhoneProblem#NOT_MOBILE}. Reserved and fictional ranges (US 555-01XX, UK 07700 900XXX) are invalid.
 * An extension ({@code "x123"}) is dropped.
 */
public final class PhoneNormalizer {
    /** The region used when none is given. */
    public static final String DEFAULT_REGION = "US";

    private static final PhoneNumberUtil PHONE_NUMBERS = PhoneNumberUtil.getInstance();

    private final String region;
    private final RegionPlan ownPlan;

    private PhoneNormalizer(String region) {
        this.region = region;
        this.ownPlan = RegionPlan.of(region, PHONE_NUMBERS.getCountryCodeForRegion(region));
    }

    /** A normalizer for the default region, {@value #DEFAULT_REGION}. */
    public static PhoneNormalizer withDefaultRegion() {
        return forRegion(DEFAULT_REGION);
    }

    /**
     * A normalizer that reads numbers without a country code as numbers of {@code regionCode}.
     *
     * @param regionCode an ISO 3166 alpha-2 code such as {@code "US"}, in any case
     * @throws IllegalArgumentException if libphonenumber has no numbering plan for it
     */
    public static PhoneNormalizer forRegion(String regionCode) {
        requireNonNull(regionCode, "regionCode");
        String region = regionCode.strip().toUpperCase(Locale.ROOT);
        if (!PHONE_NUMBERS.getSupportedRegions().contains(region)) {
            throw new IllegalArgumentException("phone region '" + regionCode
                    + "' is not an ISO 3166 alpha-2 code with a numbering plan, such as US or GB");
        }
        return new PhoneNormalizer(region);
    }

    /** The region for numbers without a country code. */
    public String region() {
        return region;
    }

    /** Checks one phone value; a blank value is {@link PhoneProblem#EMPTY}. */
    public PhoneCheck check(String raw) {
        requireNonNull(raw, "raw");
        if (raw.isBlank()) {
            return PhoneCheck.empty();
        }
        PhoneNumber number = plainNanpNumber(raw);
        if (number == null) {
            try {
                number = PHONE_NUMBERS.parse(raw, region);
            } catch (NumberParseException e) {
                return PhoneCheck.invalid();
            }
        }
        // The normalizer's own region first (most of a sync's numbers), checked once against that
        // region's plan, instead of libphonenumber trying every region of the country code (about 25
        // for +1) in isValidNumber, again in getRegionCodeForNumber, and once more in getNumberType.
        String nationalNumber = PHONE_NUMBERS.getNationalSignificantNumber(number);
        String numberRegion = region;
        PhoneNumberType type = number.getCountryCode() == ownPlan.countryCode() ? ownPlan.typeOf(nationalNumber)
                : PhoneNumberType.UNKNOWN;
        if (type == PhoneNumberType.UNKNOWN) {
            numberRegion = regionOf(number.getCountryCode(), nationalNumber);
            if (numberRegion == null) {
                return PhoneCheck.invalid();
            }
            type = RegionPlan.of(numberRegion, number.getCountryCode()).typeOf(nationalNumber);
            if (type == PhoneNumberType.UNKNOWN) {
                return PhoneCheck.invalid();
            }
        }
        PhoneProblem problem = type == PhoneNumberType.MOBILE || type == PhoneNumberType.FIXED_LINE_OR_MOBILE
                ? PhoneProblem.NONE : PhoneProblem.NOT_MOBILE;
        String e164 = "+" + number.getCountryCode() + nationalNumber;
        return PhoneCheck.valid(e164, problem, isCountry(numberRegion) ? Optional.of(numberRegion) : Optional.empty());
    }

    /**
     * The region of a number as libphonenumber's {@code getRegionCodeForNumber} finds it: the only region
     * of its country code, else the first of them whose leading digits the number starts with or, for a
     * region without leading digits, where it is valid; null when none is.
     */
    private static String regionOf(int countryCode, String nationalNumber) {
        List<String> regions = PHONE_NUMBERS.getRegionCodesForCountryCode(countryCode);
        if (regions.size() <= 1) {
            return regions.isEmpty() || regions.get(0).equals("ZZ") ? null : regions.get(0);
        }
        List<RegionPlan> plans = CANDIDATES.computeIfAbsent(countryCode,
                cc -> regions.stream().map(r -> RegionPlan.of(r, cc)).toList());
        for (int i = 0; i < plans.size(); i++) {
            RegionPlan plan = plans.get(i);
            if (plan.leadingDigits() != null ? plan.startsWithLeadingDigits(nationalNumber)
                    : plan.typeOf(nationalNumber) != PhoneNumberType.UNKNOWN) {
                return regions.get(i);
            }
        }
        return null;
    }

    /** The plans of a country code's regions, in libphonenumber's order, made once. */
    private static final Map<Integer, List<RegionPlan>> CANDIDATES = new ConcurrentHashMap<>();

    /**
     * The three-digit beginnings of a number {@code pattern} can match (whole, or at its start with
     * {@code prefixOnly}): a beginning the matcher fails on before reading to its end ({@code hitEnd()}
     * false) fails whatever follows. Found digit by digit, so only the beginnings of possible ones are tried.
     */
    private static BitSet beginningsOf(Pattern pattern, boolean prefixOnly) {
        BitSet out = new BitSet(1000);
        Matcher m = pattern.matcher("");
        for (int a = 0; a < 10; a++) {
            if (!possible(m, Integer.toString(a), prefixOnly)) {
                continue;
            }
            for (int b = 0; b < 10; b++) {
                if (!possible(m, a + Integer.toString(b), prefixOnly)) {
                    continue;
                }
                for (int c = 0; c < 10; c++) {
                    if (possible(m, a + Integer.toString(b) + c, prefixOnly)) {
                        out.set(a * 100 + b * 10 + c);
                    }
                }
            }
        }
        return out;
    }

    private static boolean possible(Matcher m, String beginning, boolean prefixOnly) {
        m.reset(beginning);
        return (prefixOnly ? m.lookingAt() : m.matches()) || m.hitEnd();
    }

    /** The number's first three digits as 0-999, or -1 when it has fewer than three. */
    private static int beginningOf(String nationalNumber) {
        return nationalNumber.length() < 3 ? -1 : (nationalNumber.charAt(0) - '0') * 100
                + (nationalNumber.charAt(1) - '0') * 10 + (nationalNumber.charAt(2) - '0');
    }

    /** libphonenumber answers "001" for non-geographic numbers (+800, +882...), which is no country. */
    private static boolean isCountry(String region) {
        return region.length() == 2 && Character.isUpperCase(region.charAt(0))
                && Character.isUpperCase(region.charAt(1)) && !region.equals("ZZ");
    }

    /**
     * The number libphonenumber's parse gives, without its parse, for the plainest North American
     * spellings: digits with only spaces, dashes, dots and brackets between them, either {@code +1}
     * and ten digits, or (for a US or Canadian normalizer) ten digits or {@code 1} and ten digits,
     * the ten starting 2-9. Such a number has no extension, no international prefix and no national
     * prefix left to strip, so the parse would give country code 1 and these ten digits. Null for
     * anything else, which goes through the parse.
     */
    PhoneNumber plainNanpNumber(String raw) {
        boolean plus = false;
        int digits = 0;
        long value = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++digits > 11) {
                    return null;
                }
                value = value * 10 + (c - '0');
            } else if (c == '+' && digits == 0 && !plus) {
                plus = true;
            } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
                return null;
            }
        }
        long national;
        if (digits == 11 && value / 10_000_000_000L == 1) {
            national = value - 10_000_000_000L;
        } else if (digits == 10 && !plus) {
            national = value;
        } else {
            return null;
        }
        if (national < 2_000_000_000L || (!plus && !NANP_SPELLINGS.contains(region))) {
            return null;
        }
        return new PhoneNumber().setCountryCode(1).setNationalNumber(national);
    }

    /** The regions whose numbers without {@code +1} {@link #plainNanpNumber} reads; others go through the parse. */
    private static final Set<String> NANP_SPELLINGS = Set.of("US", "CA");

    /**
     * A region's numbering plan as this normalizer reads it: libphonenumber's metadata for the region,
     * its patterns compiled once, and a number's type found in one pass over them in the order
     * libphonenumber's own {@code getNumberType} takes (the test compares the two over many numbers).
     */
    private record RegionPlan(int countryCode, Pattern leadingDigits, BitSet leadingBeginnings, Desc general,
            List<Map.Entry<PhoneNumberType, Desc>> others, Desc fixedLine, Desc mobile, boolean sameMobileAndFixedLine) {
        private static final Map<String, RegionPlan> PLANS = new ConcurrentHashMap<>();

        static RegionPlan of(String region, int countryCode) {
            return PLANS.computeIfAbsent(region + "/" + countryCode, k -> {
                // "001" is libphonenumber's region of non-geographic numbers (+800, +882...), planned by country code.
                // The metadata PhoneNumberUtil.getInstance() reads, through the source libphonenumber makes public.
                MetadataSource source = DefaultMetadataDependenciesProvider.getInstance().getPhoneNumberMetadataSource();
                PhoneMetadata m = region.equals("001") ? source.getMetadataForNonGeographicalRegion(countryCode)
                        : source.getMetadataForRegion(region);
                if (m == null) {
                    return new RegionPlan(countryCode, null, null, Desc.NONE, List.of(), Desc.NONE, Desc.NONE, false);
                }
                Pattern leading = m.hasLeadingDigits() ? Pattern.compile(m.getLeadingDigits()) : null;
                return new RegionPlan(countryCode, leading, leading == null ? null : beginningsOf(leading, true),
                        Desc.of(m.getGeneralDesc()), List.of(
                        Map.entry(PhoneNumberType.PREMIUM_RATE, Desc.of(m.getPremiumRate())),
                        Map.entry(PhoneNumberType.TOLL_FREE, Desc.of(m.getTollFree())),
                        Map.entry(PhoneNumberType.SHARED_COST, Desc.of(m.getSharedCost())),
                        Map.entry(PhoneNumberType.VOIP, Desc.of(m.getVoip())),
                        Map.entry(PhoneNumberType.PERSONAL_NUMBER, Desc.of(m.getPersonalNumber())),
                        Map.entry(PhoneNumberType.PAGER, Desc.of(m.getPager())),
                        Map.entry(PhoneNumberType.UAN, Desc.of(m.getUan())),
                        Map.entry(PhoneNumberType.VOICEMAIL, Desc.of(m.getVoicemail()))),
                        Desc.of(m.getFixedLine()), Desc.of(m.getMobile()), m.getSameMobileAndFixedLinePattern());
            });
        }

        /** Whether the number starts with the region's leading digits (libphonenumber's {@code lookingAt}). */
        boolean startsWithLeadingDigits(String nationalNumber) {
            int beginning = beginningOf(nationalNumber);
            return (beginning < 0 || leadingBeginnings.get(beginning)) && leadingDigits.matcher(nationalNumber).lookingAt();
        }

        /** The type of a national significant number of this region; UNKNOWN when it is not valid here. */
        PhoneNumberType typeOf(String nationalNumber) {
            if (!general.matches(nationalNumber)) {
                return PhoneNumberType.UNKNOWN;
            }
            for (Map.Entry<PhoneNumberType, Desc> other : others) {
                if (other.getValue().matches(nationalNumber)) {
                    return other.getKey();
                }
            }
            if (fixedLine.matches(nationalNumber)) {
                return sameMobileAndFixedLine || mobile.matches(nationalNumber) ? PhoneNumberType.FIXED_LINE_OR_MOBILE
                        : PhoneNumberType.FIXED_LINE;
            }
            return !sameMobileAndFixedLine && mobile.matches(nationalNumber) ? PhoneNumberType.MOBILE
                    : PhoneNumberType.UNKNOWN;
        }
    }

    /**
     * One number type of a plan: the lengths it allows and its pattern of the whole national number,
     * with the three-digit beginnings the pattern can match, found once when the plan is made: a
     * number whose beginning the pattern fails on before reading to its end (the matcher's
     * {@code hitEnd()} false) fails whatever follows, so most numbers are told apart from most types
     * (toll-free, premium-rate...) by a bit instead of a regular expression.
     */
    /** Each thread's matchers, one per pattern, reused from number to number. */
    private static final ThreadLocal<Map<Pattern, Matcher>> MATCHERS =
            ThreadLocal.withInitial(java.util.IdentityHashMap::new);

    private record Desc(long lengths, Pattern pattern, BitSet beginnings) {
        static final Desc NONE = new Desc(0L, null, new BitSet());

        static Desc of(PhoneNumberDesc desc) {
            if (desc == null || !desc.hasNationalNumberPattern()) {
                return NONE;
            }
            long lengths = 0L;
            for (int length : desc.getPossibleLengthList()) {
                lengths |= length >= 0 && length < 63 ? 1L << length : 1L << 63; // -1: the type has none
            }
            Pattern pattern = Pattern.compile(desc.getNationalNumberPattern());
            return new Desc(lengths, pattern, beginningsOf(pattern, false));
        }

        boolean matches(String nationalNumber) {
            int length = nationalNumber.length();
            if (pattern == null || (lengths != 0L && (length >= 63 || (lengths & (1L << length)) == 0L))) {
                return false;
            }
            int beginning = beginningOf(nationalNumber);
            if (beginning >= 0 && !beginnings.get(beginning)) {
                return false;
            }
            // A matcher per thread, reset for each number: a new one per call was a tenth of a sync's garbage.
            Matcher m = MATCHERS.get().computeIfAbsent(pattern, p -> p.matcher(""));
            boolean matched = m.reset(nationalNumber).matches();
            m.reset(""); // the number is personal data: not kept past the call
            return matched;
        }
    }

    @Override
    public String toString() {
        return "PhoneNormalizer[" + region + "]";
    }
}
