package org.crmsync.salesforce.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.http.HttpSettings;
import org.crmsync.http.RetryPolicy;
import org.crmsync.salesforce.SalesforceConfig;
import org.crmsync.salesforce.SalesforceSimulator;
import org.crmsync.salesforce.SalesforceSimulator.Kind;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;
import org.junit.jupiter.api.Test;

class SalesforceClientTest {
    @Test
    void aCallWhoseDeadlinePassesFailsNamingTheCallTheAttemptsAndTheDeadlineSetting() {
        MutableClock clock = MutableClock.at("2026-03-02T06:00:00Z");
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        // Exact waits of 10, 20, 40 s: the third would pass a deadline of one minute.
        RetryPolicy exact = RetryPolicy.builder().initialBackoff(Duration.ofSeconds(10))
                .maxBackoff(Duration.ofSeconds(40)).jitter(false).build();
        try (SalesforceSimulator sf = SalesforceSimulator.start(clock)) {
            Map<String, String> values = new LinkedHashMap<>(sf.connectorConfig());
            values.put(HttpSettings.CALL_DEADLINE, "1m");
            values.put(HttpSettings.MAX_ATTEMPTS, "10");
            sf.failNext(Kind.DESCRIBE, 100);
            try (SalesforceClient client = new SalesforceClient(SalesforceConfig.from(values),
                    new ConnectorContext(clock, sleeper, true), ApiCallMeter::unlimited, exact)) {

                CrmSyncException e = catchThrowableOfType(CrmSyncException.class, () -> client.describe("Contact"));

                assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
                assertThat(e.getMessage()).startsWith("Salesforce describe of Contact to GET " + sf.baseUrl()
                        + "/services/data/v67.0/sobjects/Contact/describe failed: gave up after 3 attempts in 30 s, as"
                        + " one more would pass the call deadline of 60 s (http.call.deadline); the last attempt was"
                        + " answered HTTP 503.").contains("raise http.call.deadline");
                assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20));
                assertThat(sf.requests(Kind.DESCRIBE)).isEqualTo(3);
            }
        }
    }

    @Test
    void readsApiUsageFromSforceLimitInfo() {
        assertThat(SalesforceClient.apiUsage("api-usage=18/15000")).hasValueSatisfying(v ->
                assertThat(v).containsExactly(18, 15000));
        assertThat(SalesforceClient.apiUsage("api-usage=25/5000; api-bursts=1/750")).hasValueSatisfying(v ->
                assertThat(v).containsExactly(25, 5000));
        assertThat(SalesforceClient.apiUsage("per-app-api-usage=17/250(appName=sample-app)")).isEmpty();
        assertThat(SalesforceClient.apiUsage("per-app-api-usage=17/250(appName=x); api-usage=7/100"))
                .hasValueSatisfying(v -> assertThat(v).containsExactly(7, 100));
    }

    @Test
    void aQueryErrorIsQuotedWithoutTheStatementOrItsLiterals() {
        String soql = "SELECT Id FROM Contact WHERE Email IN ('ana@example.org', 'o\\'brien@example.org')";

        assertThat(SalesforceClient.queryErrorMessage("\nSELECT Id, Foo FROM Contact WHERE Email IN ('ana@example.org')"
                + "\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'Contact'.", soql))
                .isEqualTo("ERROR at Row:1:Column:12 No such column 'Foo' on entity 'Contact'.");
        // Salesforce may repeat only part of the statement, and name a literal in the reason.
        assertThat(SalesforceClient.queryErrorMessage("Contact WHERE Email IN ('ana@example.org' 'x')\n ^\nERROR at"
                + " Row:1:Column:40\nunexpected token: 'ANA@example.org'", soql)).isEmpty();
        assertThat(SalesforceClient.queryErrorMessage("unexpected token: o'brien@example.org", soql)).isEmpty();
        assertThat(SalesforceClient.queryErrorMessage("Id, Email FROM Contact WHERE Id = '003'", "")).isEqualTo(
                "Id, Email FROM Contact");
        assertThat(SalesforceClient.queryErrorMessage(null, soql)).isEmpty();
    }

    @Test
    void aQueryErrorIsCheckedAgainstAVeryLongLiteralWithoutOverflowingTheStack() {
        String soql = "SELECT Id FROM Contact WHERE Email IN ('" + "a".repeat(200_000) + "@example.org')";

        assertThat(SalesforceClient.queryErrorMessage("ERROR at Row:1:Column:9 unexpected token", soql))
                .isEqualTo("ERROR at Row:1:Column:9 unexpected token");
    }
}
