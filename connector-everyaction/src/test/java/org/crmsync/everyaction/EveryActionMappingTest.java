package org.crmsync.everyaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.RecordSource;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.Test;

class EveryActionMappingTest {
    @Test
    void theDefaultMappingNamesOnlyStandardFields() {
        assertThat(EveryActionMapping.nonStandard(EveryActionMapping.defaults())).isEmpty();
        assertThat(new EveryActionConnectorProvider().defaultMapping().apiNames())
                .containsExactlyInAnyOrderElementsOf(EveryActionMapping.STANDARD_FIELDS);
    }

    @Test
    void aMappingNamingACustomFieldIsRefusedWhenBuiltWithTheSeedsReason() {
        assertThatThrownBy(() -> EveryActionMapping.builder(EveryActionMapping.defaults())
                .rule(FieldRule.builder("volunteer_level").apiName("CustomField_17").build()).build())
                .isInstanceOfSatisfying(CrmSyncException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_MAPPING);
                    assertThat(e.getMessage()).contains("CustomField_17", "volunteer_level",
                            "does not sync custom fields");
                });
        assertThatThrownBy(() -> EveryActionMapping.builder(EveryActionMapping.defaults())
                .rule(FieldRule.builder("profile_email").apiName("Email").build()).build())
                .hasMessageContaining("the standard field is spelled email");
    }

    @Test
    void aRenamedOrDroppedStandardFieldIsAllowed() {
        FieldMapping m = EveryActionMapping.builder(EveryActionMapping.defaults()).remove("address_street_2")
                .rule(FieldRule.builder("profile_first_name").apiName("firstName").required(true).build()).build();

        assertThat(m.rule("address_street_2")).isEmpty();
    }

    @Test
    void aMappingBuiltElsewhereWithACustomFieldStopsTheRunAtPreflight() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.mapping = EveryActionMapping.defaults().toBuilder()
                    .rule(FieldRule.builder("profile_email").apiName("emailAddress").build()).build();

            SyncReport r = f.engine.run(f.job(SyncDirection.INBOUND).build());

            assertThat(r.status()).isNotEqualTo(RunStatus.COMPLETED);
            assertThat(r.message()).contains("emailAddress", "does not sync custom fields");
            assertThat(f.van.calls("POST /changedEntityExportJobs")).isZero();
        }
    }

    @Test
    void theSmsOptInReadsWordsAndCodesAndWritesCodes() {
        FieldMapping m = EveryActionMapping.defaults();

        assertThat(m.toLocal(Map.of("smsOptInStatus", "Opt-In"), RecordSource.API).values())
                .containsEntry("opt_in_status", "true");
        assertThat(m.toLocal(Map.of("smsOptInStatus", "O"), RecordSource.API).values())
                .containsEntry("opt_in_status", "false");
        assertThat(m.toLocal(Map.of("smsOptInStatus", "Unknown"), RecordSource.API).values())
                .doesNotContainKey("opt_in_status");
        assertThat(EveryActionMapping.smsOptIn().toRemote("true")).hasValue("I");
        assertThat(EveryActionMapping.smsOptIn().toRemote("false")).hasValue("O");
        assertThat(m.toLocal(Map.of("smsOptInStatus", "Maybe"), RecordSource.API).problems()).isNotEmpty();
    }
}
