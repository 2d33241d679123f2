package org.crmsync.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SyncPolicyTest {

    @Test
    void defaultsAreConservativeTwoWayWithoutQuotaInTheUsRegionRequiringAMobileNumber() {
        SyncPolicy p = SyncPolicy.builder().build();

        assertThat(p.mode()).isEqualTo(SyncMode.CONSERVATIVE);
        assertThat(p.authority()).isEqualTo(Authority.TWO_WAY);
        assertThat(p.dailyApiQuota()).isEmpty();
        assertThat(p.defaultRegion()).isEqualTo("US");
        assertThat(p.requireMobileNumber()).isTrue();
        assertThat(p.allowedCountries()).isEmpty();
        assertThat(p.defaultOptInPath()).isEmpty();
        assertThat(p.defaultFirstName()).isEmpty();
        assertThat(p.defaultLastName()).isEmpty();
        assertThat(p.inboundLookback()).isEmpty();
        assertThat(p.inboundMatchOrder()).containsExactly(MatchKey.CONSTITUENT_ID, MatchKey.PHONE, MatchKey.EMAIL);
        assertThat(p.outboundMatchOrder()).containsExactly(MatchKey.CONSTITUENT_ID, MatchKey.PHONE, MatchKey.EMAIL);
    }

    @Test
    void anInboundLookBackNotSetIsTheConnectorsDefaultAndOneSetToZeroIsZero() {
        Duration connectorDefault = Duration.ofMinutes(10);

        assertThat(SyncPolicy.builder().build().inboundLookbackOr(connectorDefault)).isEqualTo(connectorDefault);
        SyncPolicy zero = SyncPolicy.builder().inboundLookback(Duration.ZERO).build();
        assertThat(zero.inboundLookback()).contains(Duration.ZERO);
        assertThat(zero.inboundLookbackOr(connectorDefault)).isZero();
        assertThat(zero.toBuilder().build().inboundLookbackOr(connectorDefault)).isZero();
        assertThat(zero.toBuilder().connectorInboundLookback().build().inboundLookbackOr(connectorDefault))
                .isEqualTo(connectorDefault);
        assertThat(SyncPolicy.builder().build().toString()).contains("inboundLookback=connector default");
    }

    @Test
    void everyCountryIsAllowedWhenNoneIsListed() {
        SyncPolicy p = SyncPolicy.builder().build();

        assertThat(p.allowsCountry("US")).isTrue();
        assertThat(p.allowsCountry("CA")).isTrue();
        assertThat(p.allowsCountry("gb")).isTrue();
    }

    @Test
    void allowsCountryIgnoresCase() {
        SyncPolicy p = SyncPolicy.builder().allowedCountries("us").build();

        assertThat(p.allowedCountries()).containsExactly("US");
        assertThat(p.allowsCountry("US")).isTrue();
        assertThat(p.allowsCountry("us")).isTrue();
        assertThat(p.allowsCountry("Us")).isTrue();
        assertThat(p.allowsCountry("CA")).isFalse();
    }

    @Test
    void allowedCountriesReplacesTheEarlierList() {
        SyncPolicy p = SyncPolicy.builder().allowedCountries("US", "CA").allowedCountries("GB").build();

        assertThat(p.allowedCountries()).containsExactly("GB");
        assertThat(p.allowsCountry("US")).isFalse();
    }

    @Test
    void aZeroQuotaIsAQuotaAndANegativeOneIsNone() {
        assertThat(SyncPolicy.builder().dailyApiQuota(0).build().dailyApiQuota()).hasValue(0);
        assertThat(SyncPolicy.builder().dailyApiQuota(5000).build().dailyApiQuota()).hasValue(5000);
        assertThat(SyncPolicy.builder().dailyApiQuota(-7).build().dailyApiQuota()).isEmpty();
        assertThat(SyncPolicy.builder().dailyApiQuota(10).noDailyApiQuota().build().dailyApiQuota()).isEmpty();
    }

    @Test
    void blankOptionalTextsMeanNone() {
        SyncPolicy p = SyncPolicy.builder().defaultOptInPath(" ").defaultFirstName("").defaultLastName(null).build();

        assertThat(p.defaultOptInPath()).isEmpty();
        assertThat(p.defaultFirstName()).isEmpty();
        assertThat(p.defaultLastName()).isEmpty();
    }

    @Test
    void everyBadSettingIsReportedAtOnce() {
        SyncPolicy.Builder b = SyncPolicy.builder()
                .allowedCountries("US", "USA")
                .defaultRegion("United States")
                .inboundLookback(Duration.ofHours(-48))
                .inboundMatchOrder(MatchKey.PHONE, MatchKey.EMAIL, MatchKey.PHONE)
                .sourceCode(" ");

        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowed country 'USA' is not an ISO 3166 alpha-2 code")
                .hasMessageContaining("default region 'UNITED STATES' is not an ISO 3166 alpha-2 code")
                .hasMessageContaining("inbound lookback may not be negative")
                .hasMessageContaining("a match key appears twice in a match order")
                .hasMessageContaining("source code may not be blank");
    }

    @Test
    void aDuplicateOutboundMatchKeyIsRefused() {
        assertThatThrownBy(() -> SyncPolicy.builder().outboundMatchOrder(MatchKey.EMAIL, MatchKey.EMAIL).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a match key appears twice");
    }

    @Test
    void anEmptyMatchOrderIsRefused() {
        assertThatThrownBy(() -> SyncPolicy.builder().inboundMatchOrder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("match orders need at least one match key");
    }

    @Test
    void toBuilderRoundTripKeepsEverySetting() {
        SyncPolicy original = SyncPolicy.builder()
                .mode(SyncMode.LIBERAL)
                .authority(Authority.LOCAL_SYSTEM_OF_RECORD)
                .allowedCountries("US", "CA")
                .defaultOptInPath("web-path-1")
                .sourceCode("school-sis")
                .dailyApiQuota(15_000)
                .defaultFirstName("Friend")
                .defaultLastName("Contact")
                .inboundLookback(Duration.ofHours(48))
                .inboundMatchOrder(MatchKey.LOCAL_ID, MatchKey.NAME_AND_EMAIL)
                .outboundMatchOrder(MatchKey.EMAIL)
                .defaultRegion("ca")
                .requireMobileNumber(false)
                .build();

        SyncPolicy copy = original.toBuilder().build();

        assertThat(copy.mode()).isEqualTo(SyncMode.LIBERAL);
        assertThat(copy.authority()).isEqualTo(Authority.LOCAL_SYSTEM_OF_RECORD);
        assertThat(copy.allowedCountries()).containsExactlyInAnyOrder("US", "CA");
        assertThat(copy.defaultOptInPath()).contains("web-path-1");
        assertThat(copy.sourceCode()).isEqualTo("school-sis");
        assertThat(copy.dailyApiQuota()).hasValue(15_000);
        assertThat(copy.defaultFirstName()).contains("Friend");
        assertThat(copy.defaultLastName()).contains("Contact");
        assertThat(copy.inboundLookback()).contains(Duration.ofHours(48));
        assertThat(copy.inboundMatchOrder()).containsExactly(MatchKey.LOCAL_ID, MatchKey.NAME_AND_EMAIL);
        assertThat(copy.outboundMatchOrder()).containsExactly(MatchKey.EMAIL);
        assertThat(copy.defaultRegion()).isEqualTo("CA");
        assertThat(copy.requireMobileNumber()).isFalse();
    }

    @Test
    void changingACopyLeavesTheOriginalAlone() {
        SyncPolicy original = SyncPolicy.builder().allowedCountries("US")
                .inboundMatchOrder(MatchKey.PHONE).build();

        SyncPolicy changed = original.toBuilder().allowedCountries("CA").inboundMatchOrder(MatchKey.EMAIL)
                .mode(SyncMode.LIBERAL).build();

        assertThat(original.allowedCountries()).containsExactly("US");
        assertThat(original.inboundMatchOrder()).containsExactly(MatchKey.PHONE);
        assertThat(original.mode()).isEqualTo(SyncMode.CONSERVATIVE);
        assertThat(changed.allowedCountries()).containsExactly("CA");
        assertThat(changed.inboundMatchOrder()).containsExactly(MatchKey.EMAIL);
    }
}
