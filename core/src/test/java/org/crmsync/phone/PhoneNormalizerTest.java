package org.crmsync.phone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
