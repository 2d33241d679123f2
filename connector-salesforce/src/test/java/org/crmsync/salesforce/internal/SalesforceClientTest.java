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
}
