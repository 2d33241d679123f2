package org.crmsync.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncJob;
import org.crmsync.http.Redaction;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.salesforce.SalesforceSimulator.Kind;
import org.crmsync.spi.SyncContext;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SalesforceAuthTest {
    private final SalesforceFixture f = new SalesforceFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void logsInWithTheSecurityTokenAppendedToThePassword() {
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(1);
        assertThat(f.profiles()).hasSize(1);
    }

    @Test
    void anExpiredSessionLogsInAgainOnceAndTheCallIsRetried() {
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        assertThat(f.inbound().status()).isEqualTo(RunStatus.COMPLETED);
        f.sf.addContact(SalesforceFixture.contact("Ben", "Ode", "ben@example.org", "+14155552672", true));
        f.sf.expireSessions();

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(2);
        assertThat(f.profiles()).hasSize(2);
        // The first run's preflight is still trusted; the query refused (401), login, the query again:
        // every request counted.
        assertThat(report.apiCallsUsed()).isEqualTo(3);
    }

    @Test
    void invalidGrantIsAnAuthenticationFailureThatIsNotRetried() {
        f.set(SalesforceConfig.PASSWORD, "Wrong-Password-7");
        // The error body repeats the password + security token and the client secret it received.
        f.sf.echoSecretsInErrors(true);

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> f.changes(context(), SyncCursor.start()).hasNext());

        assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.httpStatus()).hasValue(400);
        assertThat(e.getMessage()).contains("invalid_grant").contains(SalesforceSimulator.USERNAME)
                .contains("security.token").contains("Not retried")
                .contains("password=" + Redaction.MASK).contains("client_secret=" + Redaction.MASK)
                .doesNotContain("Wrong-Password-7").doesNotContain(SalesforceSimulator.SECURITY_TOKEN)
                .doesNotContain(SalesforceSimulator.CLIENT_SECRET);
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(1);
        assertThat(f.sleeper.sleeps()).isEmpty();
    }

    @Test
    void badCredentialsFailPreflightBeforeAnyRecordMoves() {
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        f.sf.changePassword("New-Password-8", "NewTok3n");
        f.sf.echoSecretsInErrors(true);

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
        assertThat(report.preflightProblems()).singleElement().asString().startsWith("credentials:")
                .contains("invalid_grant").contains("password=" + Redaction.MASK);
        assertThat(report.toJson() + report.message()).doesNotContain(SalesforceSimulator.PASSWORD)
                .doesNotContain(SalesforceSimulator.SECURITY_TOKEN).doesNotContain(SalesforceSimulator.CLIENT_SECRET);
        assertThat(f.profiles()).isEmpty();
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(1);
        assertThat(f.sf.requests(Kind.QUERY)).isZero();
    }

    @Test
    void aWrongConsumerSecretPointsAtTheAppSettings() {
        f.set(SalesforceConfig.CLIENT_SECRET, "Not-The-Secret-9");
        f.sf.echoSecretsInErrors(true);

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> f.changes(context(), SyncCursor.start()).hasNext());

        assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(e.getMessage()).contains("invalid_client").contains("client.secret")
                .contains("client_secret=" + Redaction.MASK).doesNotContain("Not-The-Secret-9")
                .doesNotContain(SalesforceSimulator.PASSWORD).doesNotContain(SalesforceSimulator.SECURITY_TOKEN);
    }

    @Test
    void clientCredentialsFlowLogsInWithTheAppAlone() {
        f.config.remove(SalesforceConfig.LOGIN);
        f.config.remove(SalesforceConfig.PASSWORD);
        f.config.remove(SalesforceConfig.SECURITY_TOKEN);
        f.set(SalesforceConfig.AUTH_FLOW, "client_credentials");
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.profiles()).hasSize(1);
    }

    @Test
    void secretsAndTheSessionTokenStayOutOfReportsAndMessages() {
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        f.sf.failNextCalls(10);
        // Each 503 body repeats the Authorization header it received: the session token.
        f.sf.echoSecretsInErrors(true);
        SyncReport failed = f.engine.run(job());

        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.message()).contains("SERVER_UNAVAILABLE").contains("Bearer " + Redaction.MASK);
        String text = failed.toJson() + failed.message() + f.connector();
        assertThat(text).doesNotContain(SalesforceSimulator.PASSWORD).doesNotContain(SalesforceSimulator.SECURITY_TOKEN)
                .doesNotContain(SalesforceSimulator.CLIENT_SECRET);
        assertThat(f.sf.issuedAccessTokens()).isNotEmpty().allSatisfy(token -> assertThat(text).doesNotContain(token));

        // A query Salesforce refuses repeats it too: masked as well.
        f.sf.failNextCalls(0);
        f.mapping = f.mapping.toBuilder().rule(org.crmsync.mapping.FieldRule.builder("address_city")
                .apiName("Mailing_Town__c").csvHeading("Mailing City").build()).build();
        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> f.changes(context(), SyncCursor.start()).hasNext());
        assertThat(e.getMessage()).contains("INVALID_FIELD");
        assertThat(f.sf.issuedAccessTokens()).isNotEmpty().allSatisfy(token -> assertThat(e.getMessage())
                .doesNotContain(token));
    }

    private SyncJob job() {
        return f.job(SyncDirection.INBOUND).build();
    }

    private SyncContext context() {
        return new DirectContext(f);
    }
}
