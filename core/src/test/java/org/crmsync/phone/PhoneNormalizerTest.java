package org.crmsync.phone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneNormalizerTest {
    private final PhoneNormalizer us = PhoneNormalizer.withDefaultRegion();

    @ParameterizedTest
    @ValueSource(strings = {"(415) 555-2671", "415.555.2671", "+1 415 555 2671", "14155552671", "4155552671",
        " 415-555-2671 ", "415-555-2671 x123"})
    void usFormatsNormalizeToE164(String raw) {
        PhoneCheck check = us.check(raw);

        assertThat(check.e164()).contains("+14155552671");
        assertThat(check.problem()).isEqualTo(PhoneProblem.NONE);
        assertThat(check.regionCode()).contains("US");
    }

    @Test
    void defaultRegionIsUs() {
        assertThat(us.region()).isEqualTo("US");
    }

    @Test
    void ukMobileIsAccepted() {
        PhoneCheck check = us.check("+44 7400 123456");

        assertThat(check.e164()).contains("+447400123456");
        assertThat(check.problem()).isEqualTo(PhoneProblem.NONE);
        assertThat(check.regionCode()).contains("GB");
    }

    @Test
    void ukLandlineIsNotMobileButKeepsItsE164() {
        PhoneCheck check = us.check("+44 20 7946 0958");

        assertThat(check.e164()).contains("+442079460958");
        assertThat(check.problem()).isEqualTo(PhoneProblem.NOT_MOBILE);
        assertThat(check.regionCode()).contains("GB");
    }

    @Test
    void nationalNumbersAreReadInTheNormalizersRegion() {
        PhoneCheck check = PhoneNormalizer.forRegion("gb").check("07400 123456");

        assertThat(check.e164()).contains("+447400123456");
        assertThat(check.problem()).isEqualTo(PhoneProblem.NONE);
    }

    @Test
    void tollFreeAndPremiumRateAreNotMobile() {
        assertThat(us.check("1-800-555-0199").problem()).isEqualTo(PhoneProblem.NOT_MOBILE);
        assertThat(us.check("+1 900 555 0123").problem()).isEqualTo(PhoneProblem.NOT_MOBILE);
        assertThat(us.check("1-800-555-0199").e164()).contains("+18005550199");
    }

    @Test
    void nonGeographicNumberHasNoRegionCode() {
        PhoneCheck check = us.check("+800 1234 5678");

        assertThat(check.e164()).contains("+80012345678");
        assertThat(check.regionCode()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"123", "abc", "+1 555 555 5555", "+1 (415) 555-267", "+44 7700 900123", "++", "n/a"})
    void invalidNumbersHaveNoE164(String raw) {
        PhoneCheck check = us.check(raw);

        assertThat(check.problem()).isEqualTo(PhoneProblem.INVALID);
        assertThat(check.e164()).isEmpty();
        assertThat(check.regionCode()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t"})
    void blankIsEmpty(String raw) {
        PhoneCheck check = us.check(raw);

        assertThat(check.problem()).isEqualTo(PhoneProblem.EMPTY);
        assertThat(check.e164()).isEmpty();
    }

    @Test
    void unknownRegionIsRejected() {
        assertThatThrownBy(() -> PhoneNormalizer.forRegion("XX"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'XX'");
        assertThatThrownBy(() -> PhoneNormalizer.forRegion("USA")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> us.check(null)).isInstanceOf(NullPointerException.class).hasMessage("raw");
    }

    /**
     * The normalizer reads plain North American spellings without libphonenumber's parse and finds a
     * number's type in one pass over the region's patterns; this holds its answers to those of
     * libphonenumber's own API (parse, isValidNumberForRegion, getRegionCodeForNumber, getNumberType,
     * format), as the normalizer used them before, over many spellings of numbers of many regions.
     */
    @Test
    void theNormalizersAnswersAreLibphonenumbersOwnForManySpellingsOfNumbersOfManyRegions() {
        PhoneNumberUtil util = PhoneNumberUtil.getInstance();
        Random random = new Random(20261201);
        List<String> spellings = new ArrayList<>();
        String[] regions = {"US", "CA", "GB", "JE", "AG", "PR", "DE", "FR", "IT", "AU", "MX", "IN", "BR", "JP"};
        for (String region : regions) {
            for (PhoneNumberType type : PhoneNumberType.values()) {
                PhoneNumber example = util.getExampleNumberForType(region, type);
                if (example == null) {
                    continue;
                }
                for (int i = 0; i < 40; i++) {
                    PhoneNumber n = new PhoneNumber().mergeFrom(example);
                    String digits = String.valueOf(n.getNationalNumber());
                    StringBuilder changed = new StringBuilder(digits);
                    for (int k = random.nextInt(4); k > 0; k--) {
                        changed.setCharAt(random.nextInt(changed.length()), (char) ('0' + random.nextInt(10)));
                    }
                    n.setNationalNumber(Long.parseLong(changed.toString()));
                    for (PhoneNumberFormat format : PhoneNumberFormat.values()) {
                        spellings.add(util.format(n, format));
                    }
                }
            }
        }
        String[] separators = {"", " ", "-", ".", ") ", "  "};
        for (int i = 0; i < 3000; i++) {
            StringBuilder digits = new StringBuilder();
            int length = 7 + random.nextInt(7);
            for (int k = 0; k < length; k++) {
                digits.append((char) ('0' + random.nextInt(10)));
                if (random.nextInt(4) == 0) {
                    digits.append(separators[random.nextInt(separators.length)]);
                }
            }
            String prefix = switch (random.nextInt(6)) {
                case 0 -> "+";
                case 1 -> "+1 ";
                case 2 -> "1-";
                case 3 -> "(";
                case 4 -> "+1 (";
                default -> "";
            };
            spellings.add(prefix + digits);
        }
        spellings.addAll(List.of("+14155552671", "++14155552671", "4155552671+", "+1 415 555 2671 x12", "1 415 555 2671",
                "11 415 555 2671", "0114155552671", "+1 115 555 2671", "+1 415 555 267", "(415)5552671", "415--555--2671"));

        for (String normalizerRegion : new String[] {"US", "CA", "GB", "AG", "DE"}) {
            PhoneNormalizer normalizer = PhoneNormalizer.forRegion(normalizerRegion);
            for (String raw : spellings) {
                assertThat(normalizer.check(raw)).as("%s read in %s", raw, normalizerRegion)
                        .isEqualTo(libphonenumbersAnswer(util, raw, normalizerRegion));
            }
        }
    }

    @Test
    void plainNorthAmericanSpellingsGiveTheNumberLibphonenumbersParseGives() throws NumberParseException {
        PhoneNumberUtil util = PhoneNumberUtil.getInstance();
        for (String raw : List.of("(415) 555-2671", "+1 415 555 2671", "1.415.555.2671", "4155552671", "+1 (905) 555-0123")) {
            assertThat(us.plainNanpNumber(raw)).as(raw).isEqualTo(util.parse(raw, "US"));
        }
        for (String raw : List.of("+4155552671", "415 555 2671 x1", "+1 115 555 2671", "0114155552671", "415555267")) {
            assertThat(us.plainNanpNumber(raw)).as(raw).isNull();
        }
        assertThat(PhoneNormalizer.forRegion("GB").plainNanpNumber("4155552671")).isNull();
    }

    /** The normalizer's rules through libphonenumber's public API only. */
    private static PhoneCheck libphonenumbersAnswer(PhoneNumberUtil util, String raw, String region) {
        if (raw.isBlank()) {
            return PhoneCheck.empty();
        }
        PhoneNumber number;
        try {
            number = util.parse(raw, region);
        } catch (NumberParseException e) {
            return PhoneCheck.invalid();
        }
        String numberRegion = util.isValidNumberForRegion(number, region) ? region : util.getRegionCodeForNumber(number);
        if (numberRegion == null || !util.isValidNumberForRegion(number, numberRegion)) {
            return PhoneCheck.invalid();
        }
        PhoneNumberType type = util.getNumberType(number);
        PhoneProblem problem = type == PhoneNumberType.MOBILE || type == PhoneNumberType.FIXED_LINE_OR_MOBILE
                ? PhoneProblem.NONE : PhoneProblem.NOT_MOBILE;
        return PhoneCheck.valid(util.format(number, PhoneNumberFormat.E164), problem,
                Optional.of(numberRegion).filter(r -> r.matches("[A-Z]{2}") && !r.equals("ZZ")));
    }
}
