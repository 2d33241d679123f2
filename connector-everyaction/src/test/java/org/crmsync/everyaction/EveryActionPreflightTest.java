package org.crmsync.everyaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.crmsync.SyncDirection;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.PreflightProblem;
import org.junit.jupiter.api.Test;

class EveryActionPreflightTest {
    private static List<PreflightProblem> preflight(EveryActionFixture f, SyncDirection direction) {
        try (ConnectorSession s = f.connector().open(new DirectContext(f.mapping, f.policy, f.clock, direction))) {
            return s.preflight();
        }
    }

    @Test
    void aWorkingKeyPassesWithOneCall() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            assertThat(preflight(f, SyncDirection.OUTBOUND)).isEmpty();
            assertThat(f.van.callCounts()).containsExactly(java.util.Map.entry("GET /apiKeyProfiles", 1));
        }
    }

    @Test
    void aWrongKeyIsACredentialsProblemNamingTheKeysToCheckAndNoSecret() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.config.put("api.key", "00000000-0000-0000-0000-000000000000");

            List<PreflightProblem> problems = preflight(f, SyncDirection.OUTBOUND);

            assertThat(problems).singleElement().satisfies(p -> {
                assertThat(p.subject()).isEqualTo("credentials");
                assertThat(p.message()).contains("HTTP 401", "app.name", "api.key", "database.mode",
                        "Authorization has been denied").doesNotContain("00000000-0000");
            });
        }
    }

    @Test
    void aKeyUsedInTheOtherDatabaseModeIsRefusedAndSaysSo() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.config.put("database.mode", "0"); // the simulator's key works in mode 1 only

            assertThat(preflight(f, SyncDirection.OUTBOUND)).singleElement()
                    .satisfies(p -> assertThat(p.message()).contains("database.mode", "1 MyCampaign", "0 MyVoters"));
        }
    }

    @Test
    void aModeTheKeysProfileLacksIsADatabaseModeProblem() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.van.key(Set.of(0, 1), false, true);

            assertThat(preflight(f, SyncDirection.OUTBOUND)).singleElement().satisfies(p -> {
                assertThat(p.subject()).isEqualTo("database.mode");
                assertThat(p.message()).contains("no MyCampaign access", "set database.mode to 0");
            });
        }
    }

    @Test
    void anApiUserWithoutThePermissionIsToldWhatTheSeedAsksFor() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.van.forbid("GET /apiKeyProfiles");

            assertThat(preflight(f, SyncDirection.OUTBOUND)).singleElement().satisfies(p -> {
                assertThat(p.subject()).isEqualTo("credentials");
                assertThat(p.message()).contains("HTTP 403", "Superuser");
            });
        }
    }

    @Test
    void exportFieldsTheAccountDoesNotOfferAreReportedBeforeAnInboundRun() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.config.put("export.fields", "cellPhone=cellphone, smsOptInStatus=SmsStatus");

            SyncReport r = f.inbound();

            assertThat(r.status()).isNotEqualTo(RunStatus.COMPLETED);
            assertThat(r.message()).contains("2 preflight problem", "export.fields", "'cellphone'", "spells it CellPhone");
            assertThat(f.van.calls("POST /changedEntityExportJobs")).isZero();
        }
    }

    @Test
    void anApiHostThatIsNotVansApiIsNamed() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.van.answerNext("GET /apiKeyProfiles", 1, com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                    .withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>EveryAction login</html>"));

            assertThat(preflight(f, SyncDirection.OUTBOUND)).singleElement().satisfies(p -> {
                assertThat(p.subject()).isEqualTo("api.host");
                assertThat(p.message()).contains("api.securevan.com", "web app");
            });
        }
    }
}
