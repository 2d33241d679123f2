package org.crmsync.luminate;

import static org.assertj.core.api.Assertions.assertThat;

import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.Test;

/** Preflight: the API credentials and the IP filter, the mapped fields, the opt-in field a boolean. */
class LuminatePreflightTest {
    @Test
    void anOptInFieldThatIsNotActivatedIsReportedBeforeAnyRecordMoves() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.userField(LuminateSimulator.OPTIN_FIELD, null);
            f.signUp("Ana", "Diaz", "ana@example.org", LuminateFixture.cell(1));

            SyncReport r = f.outbound();

            assertThat(r.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
            assertThat(String.join(" ", r.preflightProblems())).contains("custom_boolean50").contains("activate");
            assertThat(f.site.all()).isEmpty();
        }
    }

    @Test
    void anOptInFieldThatIsNotABooleanIsReported() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.userField(LuminateSimulator.OPTIN_FIELD, "TEXT");

            SyncReport r = f.inbound();

            assertThat(r.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
            assertThat(String.join(" ", r.preflightProblems())).contains("optin.field").contains("not a boolean");
        }
    }

    @Test
    void aWrongApiKeyOrPasswordIsACredentialsProblemWithoutTheSecret() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.config.put(LuminateConfig.PASSWORD, "not-the-password-42");

            SyncReport r = f.outbound();

            assertThat(r.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
            assertThat(String.join(" ", r.preflightProblems())).contains("error 3").contains("login and password")
                    .doesNotContain("not-the-password-42");

            f.config.put(LuminateConfig.PASSWORD, LuminateSimulator.PASSWORD);
            f.config.put(LuminateConfig.API_KEY, "wrong-key-1234567");
            f.restart();
            SyncReport key = f.outbound();
            assertThat(String.join(" ", key.preflightProblems())).contains("error 2").contains("CONVIO_API_KEY")
                    .doesNotContain("wrong-key-1234567");
        }
    }

    @Test
    void anErrorAnsweredWithStatus200IsStillReadAsTheError() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.errorsAs200(true);
            f.config.put(LuminateConfig.PASSWORD, "not-the-password-42");

            SyncReport refused = f.outbound();

            assertThat(refused.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
            assertThat(String.join(" ", refused.preflightProblems())).contains("error 3");

            f.config.put(LuminateConfig.PASSWORD, LuminateSimulator.PASSWORD);
            f.restart();
            f.signUp("Ana", "Diaz", "ana@example.org", LuminateFixture.cell(1));
            SyncReport created = f.outbound(); // the look-up's "not found" comes as a 200 too

            assertThat(created.count(org.crmsync.report.Outcome.CREATED)).isEqualTo(1);
            assertThat(f.site.all()).hasSize(1);
        }
    }
}
