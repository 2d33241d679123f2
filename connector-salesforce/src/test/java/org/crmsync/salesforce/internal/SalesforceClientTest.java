package org.crmsync.salesforce.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SalesforceClientTest {
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
}
