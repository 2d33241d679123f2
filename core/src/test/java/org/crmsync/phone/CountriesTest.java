package org.crmsync.phone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CountriesTest {

    @ParameterizedTest
    @ValueSource(strings = {"US", "us", "USA", "usa", "United States", "united states of america", "U.S.",
        "U.S.A.", "America", " United  States "})
    void unitedStatesAliases(String value) {
        assertThat(Countries.countryCode(value)).contains("US");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GB", "gb", "GBR", "United Kingdom", "UK", "U.K.", "Great Britain", "England", "Scotland"})
    void unitedKingdomAliases(String value) {
        assertThat(Countries.countryCode(value)).contains("GB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Canada", "CA", "ca", "CAN", "canada"})
    void canadaAliases(String value) {
        assertThat(Countries.countryCode(value)).contains("CA");
    }

    @Test
    void englishNamesAndAccentsAreRecognised() {
        assertThat(Countries.countryCode("Germany")).contains("DE");
        assertThat(Countries.countryCode("DEU")).contains("DE");
        assertThat(Countries.countryCode("Côte d’Ivoire")).contains("CI");
        assertThat(Countries.countryCode("Cote d'Ivoire")).contains("CI");
        assertThat(Countries.countryCode("Bosnia & Herzegovina")).contains("BA");
        assertThat(Countries.countryCode("Czech Republic")).contains("CZ");
        assertThat(Countries.countryCode("South Korea")).contains("KR");
        assertThat(Countries.countryCode("Holland")).contains("NL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "Atlantis", "XX", "ZZZ", "--"})
    void unknownValuesAreEmpty(String value) {
        assertThat(Countries.countryCode(value)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void placeholdersForNoValueAreNotReadAsNamibiaOrNorway() {
        for (String none : new String[] {"N/A", "n/a", "na", "No", "none", "Unknown", "-"}) {
            assertThat(Countries.countryCode(none)).as(none).isEmpty();
        }
        assertThat(Countries.countryCode("NA")).contains("NA");
        assertThat(Countries.countryCode("NO")).contains("NO");
        assertThat(Countries.countryCode("Norway")).contains("NO");
    }
}
