package org.crmsync.activecampaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.crmsync.mapping.BlankHandling;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.RecordSource;
import org.crmsync.mapping.ValueConverter;
import org.crmsync.mapping.WriteMode;
import org.crmsync.model.Profile;
import org.junit.jupiter.api.Test;

class ActiveCampaignMappingTest {
    private final FieldMapping preset = ActiveCampaignMapping.sonisPreset();

    @Test
    void graduationYearIsWrittenAsMay30OfThatYear() {
        ValueConverter c = ActiveCampaignMapping.graduationYearToMay30();

        assertThat(c.toRemote("2026")).hasValue("2026-05-30");
        assertThat(c.toLocal("2026-05-30")).hasValue("2026");
        assertThat(c.toLocal("2026-05-30T00:00:00-05:00")).hasValue("2026");
        assertThatThrownBy(() -> c.toRemote("26")).hasMessageContaining("graduation year");
    }

    @Test
    void prospectStatusIsExportedOnlyWhenPsApStOrAl() {
        ValueConverter c = ActiveCampaignMapping.exportedOnlyWhen(ActiveCampaignMapping.EXPORTED_PROSPECT_STATUSES);

        assertThat(c.toRemote("PS")).hasValue("PS");
        assertThat(c.toRemote("al")).hasValue("AL");
        assertThat(c.toRemote("ST")).hasValue("ST");
        assertThat(c.toRemote("AP")).hasValue("AP");
        assertThat(c.toRemote("IN")).isEmpty();
        assertThat(c.toRemote("EN")).isEmpty();
    }

    @Test
    void listStatusReadsActiveAsOptedInAndUnsubscribedAsOptedOut() {
        ValueConverter c = ActiveCampaignMapping.listStatus();

        assertThat(c.toLocal("1")).hasValue("true");
        assertThat(c.toLocal("2")).hasValue("false");
        assertThat(c.toLocal("0")).isEmpty();
        assertThat(c.toLocal("3")).isEmpty();
    }

    @Test
    void theThreeAddressLinesAreJoinedIntoHomeAddress() {
        Profile p = Profile.builder().street1("300 College Park").street2("Room 12").extraField("address.add_add2",
                "Building C").extraField("approg.sch_year", "2027").extraField("approg.semester", "FA").build();

        Map<String, String> remote = preset.toRemote(p, Map.of(), true, f -> true);

        assertThat(remote).containsEntry("HOME_ADDRESS", "300 College Park, Room 12, Building C")
                .containsEntry("START_TERM", "2027 FA");
        assertThat(preset.toRemote(Profile.builder().street1("1 Main St").build(), Map.of(), true, f -> true))
                .containsEntry("HOME_ADDRESS", "1 Main St");
    }

    @Test
    void changeableInActiveCampaignBecomesEachFieldsWriteAndBlankHandling() {
        // "No": SONIS owns the field: always written, and a blank in SONIS clears it.
        assertRule("profile_first_name", "firstName", WriteMode.ALWAYS, BlankHandling.CLEAR);
        assertRule("prospect.hs_grad_year", "HS_GRAD_DATE", WriteMode.ALWAYS, BlankHandling.CLEAR);
        assertRule("prospect.undergrd_attnd", "HIGH_SCHOOL_NAME", WriteMode.ALWAYS, BlankHandling.CLEAR);
        // "Yes": SONIS's value wins, a blank leaves what ActiveCampaign users entered.
        assertRule("address_city", "HOME_CITY", WriteMode.ALWAYS, BlankHandling.SKIP);
        assertRule("profile_email", "email", WriteMode.ALWAYS, BlankHandling.SKIP);
        assertRule("prospect.status", "PROSPECT_STATUS", WriteMode.ALWAYS, BlankHandling.SKIP);
        // "Updates once only".
        assertRule("local_id", "SONIS_ID", WriteMode.ONLY_WHEN_EMPTY, BlankHandling.SKIP);
        assertRule("opt_in_status", "listStatus", WriteMode.NEVER, BlankHandling.SKIP);
        assertThat(preset.rules()).hasSize(26);
    }

    @Test
    void theLocalIdIsWrittenOnlyWhileActiveCampaignHasNone() {
        Profile p = Profile.builder().localId("S1").firstName("Ada").build();

        assertThat(preset.toRemote(p, Map.of("SONIS_ID", "S1-OLD"), false, f -> true)).doesNotContainKey("SONIS_ID");
        assertThat(preset.toRemote(p, Map.of(), false, f -> true)).containsEntry("SONIS_ID", "S1");
    }

    @Test
    void importedContactsMapBackToSonisFields() {
        Map<String, String> values = preset.toLocal(Map.of("firstName", "Cy", "HS_GRAD_DATE", "2027-05-30",
                "HOME_ADDRESS", "1 Main St, Apt 2", "listStatus", "1"), RecordSource.API).values();

        assertThat(values).containsEntry("profile_first_name", "Cy").containsEntry("prospect.hs_grad_year", "2027")
                .containsEntry("address_street_1", "1 Main St").containsEntry("address_street_2", "Apt 2")
                .containsEntry("opt_in_status", "true");
    }

    @Test
    void theDefaultsMapTheContactsOwnFieldsAndTheLocalIdOnce() {
        FieldMapping d = ActiveCampaignMapping.defaults();

        assertThat(d.apiNames()).containsExactly("email", "firstName", "lastName", "phone", "listStatus", "SONIS_ID");
        assertThat(d.rule("local_id").map(FieldRule::writeMode)).hasValue(WriteMode.ONLY_WHEN_EMPTY);
        assertThat(new ActiveCampaignConnectorProvider().defaultMapping().apiNames()).isEqualTo(d.apiNames());
    }

    private void assertRule(String local, String api, WriteMode mode, BlankHandling blanks) {
        FieldRule r = preset.rule(local).orElseThrow();
        assertThat(r.apiName()).hasValue(api);
        assertThat(r.writeMode()).as(local).isEqualTo(mode);
        assertThat(r.blankHandling()).as(local).isEqualTo(blanks);
    }
}
