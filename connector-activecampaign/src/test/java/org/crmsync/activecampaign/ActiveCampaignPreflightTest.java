package org.crmsync.activecampaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.FieldRule;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.ConnectorRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ActiveCampaignPreflightTest {
    private final ActiveCampaignFixture f = new ActiveCampaignFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void theProviderIsFoundByServiceLoader() {
        ConnectorRegistry registry = ConnectorRegistry.load();

        assertThat(registry.ids()).contains("activecampaign");
        assertThat(registry.provider("activecampaign").displayName()).isEqualTo("ActiveCampaign");
        assertThatThrownBy(() -> registry.create("activecampaign", Map.of("api.url", "ftp://x"),
                org.crmsync.spi.ConnectorContext.defaults())).isInstanceOf(CrmSyncException.class)
                .hasMessageContaining("api.token").hasMessageContaining("list");
    }

    @Test
    void aReadyAccountHasNoPreflightProblems() {
        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.preflightProblems()).isEmpty();
    }

    @Test
    void customFieldsResolveByPerstagOrTitleAndAMissingOneIsAPreflightProblem() {
        f.mapping = f.mapping.toBuilder()
                .rule(FieldRule.builder("address.text_me").apiName("Okay to Text").build()) // by title
                .rule(FieldRule.builder("name.middle").apiName("MIDDLE_NAME").build())
                .rule(FieldRule.builder("name.suffix").apiName("%SUFIX%").build())
                .build();
        f.ac.addField("Suffix", "SUFFIX");

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
        assertThat(report.preflightProblems()).hasSize(2);
        assertThat(report.preflightProblems().get(0)).startsWith("MIDDLE_NAME: no custom contact field")
                .contains("name.middle").contains("Manage Fields");
        assertThat(report.preflightProblems().get(1)).contains("did you mean SUFFIX");
        assertThat(f.ac.requests("GET /contacts")).isZero();
    }

    @Test
    void anUnknownListOrLocalIdFieldIsAPreflightProblem() {
        f.config.put(ActiveCampaignConfig.LIST, "Alumni");
        f.config.put(ActiveCampaignConfig.LOCAL_ID_FIELD, "STUDENT_ID");

        SyncReport report = f.export();

        assertThat(report.preflightProblems()).anySatisfy(p -> assertThat(p).startsWith("list: no list has the id"
                + " or name 'Alumni'").contains("1 Prospects"));
        assertThat(report.preflightProblems()).anySatisfy(p -> assertThat(p).startsWith("local.id.field:"));
    }

    @Test
    void theListMayBeGivenByIdAndTheLocalIdFieldByTitle() {
        f.config.put(ActiveCampaignConfig.LIST, f.listId);
        f.config.put(ActiveCampaignConfig.LOCAL_ID_FIELD, "SONIS_ID");
        f.mapping = ActiveCampaignMapping.sonisPreset();

        assertThat(f.export().preflightProblems()).isEmpty();
    }

    @Test
    void aRefusedTokenIsReportedAsACredentialsProblemWithoutTheToken() {
        f.ac.acceptOnlyToken("another-token");

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
        assertThat(report.preflightProblems()).singleElement().satisfies(p -> assertThat(p).startsWith("credentials:")
                .contains("403").contains("api.token").doesNotContain(ActiveCampaignSimulator.TOKEN));
    }

    @Test
    void aTokenRefusedDuringARunFailsItAsAnAuthenticationProblem() {
        f.student(1);
        var session = f.connector().open(new DirectContext(f.mapping, f.policy, Clock.systemUTC()));
        assertThat(session.preflight()).isEmpty();
        f.ac.acceptOnlyToken("revoked");

        assertThatThrownBy(() -> session.lookup(List.of(new org.crmsync.spi.LookupRequest("S00001",
                f.profile("S00001"), f.policy.outboundMatchOrder()))))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
                    assertThat(e.httpStatus()).hasValue(403);
                    assertThat(e.getMessage()).contains("api.token").doesNotContain(ActiveCampaignSimulator.TOKEN);
                });
    }

    @Test
    void aMappingWritingTheLocalIdElsewhereThanTheConfiguredFieldIsRefused() {
        f.mapping = f.mapping.toBuilder().rule(FieldRule.builder("local_id").apiName("HIGH_SCHOOL_NAME").build())
                .remove("prospect.undergrd_attnd").build();

        SyncReport report = f.engine.run(f.job(SyncDirection.OUTBOUND).build());

        assertThat(report.preflightProblems()).singleElement().satisfies(p -> assertThat(p).startsWith("local_id:"));
    }
}
