package org.crmsync.phone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PhoneVariantsTest {
    @Test
    void aLookupAsksForTheSpellingsANumberIsUsuallyStoredUnder() {
        assertThat(PhoneVariants.of("+14155552671")).containsExactly("+14155552671", "(415) 555-2671",
                "4155552671", "+1 415-555-2671", "14155552671", "415-555-2671", "1-415-555-2671", "415.555.2671",
                "+1 415 555 2671", "+1 (415) 555-2671", "(415)555-2671");
        assertThat(PhoneVariants.of("+447700900123")).containsExactly("+447700900123", "07700 900123",
                "7700900123", "+44 7700 900123");
        assertThat(PhoneVariants.of("not a number")).containsExactly("not a number");
    }
}
