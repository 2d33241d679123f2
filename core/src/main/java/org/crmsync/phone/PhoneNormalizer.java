package org.crmsync.phone;

import static java.util.Objects.requireNonNull;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;
import java.util.Optional;

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

    private PhoneNormalizer(String region) {
        this.region = region;
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
        PhoneNumber number;
        try {
            number = PHONE_NUMBERS.parse(raw, region);
        } catch (NumberParseException e) {
            return PhoneCheck.invalid();
        }
        // The region first, once: a number of the normalizer's own region (most of a sync's) is checked
        // against that region alone, instead of libphonenumber trying every region of its country code
        // (about 25 for +1) in isValidNumber and again in getRegionCodeForNumber. Same answers.
        String numberRegion = PHONE_NUMBERS.isValidNumberForRegion(number, region) ? region
                : PHONE_NUMBERS.getRegionCodeForNumber(number);
        if (numberRegion == null || !PHONE_NUMBERS.isValidNumberForRegion(number, numberRegion)) {
            return PhoneCheck.invalid();
        }
        PhoneProblem problem;
        switch (PHONE_NUMBERS.getNumberType(number)) {
            case MOBILE:
            case FIXED_LINE_OR_MOBILE:
                problem = PhoneProblem.NONE;
                break;
            default:
                problem = PhoneProblem.NOT_MOBILE;
                break;
        }
        String e164 = PHONE_NUMBERS.format(number, PhoneNumberFormat.E164);
        // libphonenumber answers "001" for non-geographic numbers (+800, +882...), which is no country.
        Optional<String> country = Optional.ofNullable(numberRegion).filter(r -> r.matches("[A-Z]{2}") && !r.equals("ZZ"));
        return PhoneCheck.valid(e164, problem, country);
    }

    @Override
    public String toString() {
        return "PhoneNormalizer[" + region + "]";
    }
}
