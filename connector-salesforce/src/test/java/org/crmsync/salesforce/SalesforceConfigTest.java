package org.crmsync.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.model.StandardField;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.ConnectorConfig;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;
import org.junit.jupiter.api.Test;

class SalesforceConfigTest {
    private static Map<String, String> valid() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("login", "sync@acme.example");
        c.put("password", "pw-Secret-1");
        c.put("security.token", "TOKEN-Secret-2");
        c.put("client.id", "3MVG9consumer");
        c.put("client.secret", "consumer-Secret-3");
        c.put("api.host", "acme.my.salesforce.com");
        return c;
    }

    @Test
    void providerIsFoundByServiceLoaderUnderTheIdSalesforce() {
        ConnectorProvider p = ConnectorRegistry.load().provider("salesforce");

        assertThat(p).isInstanceOf(SalesforceConnectorProvider.class);
        assertThat(p.displayName()).isEqualTo("Salesforce");
        assertThat(p.configKeys()).extracting(ConfigKey::name).contains("login", "password", "security.token",
                "client.id", "client.secret", "auth.flow", "api.host", "login.host", "api.version", "export.url",
                "inbound.source", "optin.field", "source.field", "query.batch.size", "http.connect.timeout",
                "http.read.timeout", "http.max.attempts", "http.call.deadline", "http.max.retry.after");
        assertThat(p.configKeys()).filteredOn(ConfigKey::secret).extracting(ConfigKey::name)
                .containsExactlyInAnyOrder("password", "security.token", "client.secret");
    }

    @Test
    void defaultsFollowTheSeed() {
        SalesforceConfig c = SalesforceConfig.from(valid());

        assertThat(c.authFlow()).isEqualTo(SalesforceConfig.AuthFlow.PASSWORD);
        assertThat(c.optInField()).isEqualTo("Mobile_Subscriber__c");
        assertThat(c.sourceField()).contains("LeadSource");
        assertThat(c.apiVersion()).isEqualTo("67.0");
        assertThat(c.loginHost()).isEqualTo("acme.my.salesforce.com");
        assertThat(c.inboundSource()).isEqualTo(SalesforceConfig.InboundSource.API);
        assertThat(c.queryBatchSize()).isEqualTo(2000);
        assertThat(c.callsInFlight()).isEqualTo(4);
    }

    @Test
    void callsInFlightStayWithinSalesforcesConcurrentRequestLimit() {
        Map<String, String> values = valid();
        values.put("calls.in.flight", "26");
        Map<String, String> one = valid();
        one.put("calls.in.flight", "1");

        assertThat(SalesforceConfig.validate(values)).extracting(ConfigProblem::key).containsExactly("calls.in.flight");
        assertThat(SalesforceConfig.from(one).callsInFlight()).isEqualTo(1);
    }

    @Test
    void theHttpSettingsDefaultToSaneLimitsAndCanBeSet() {
        SalesforceConfig defaults = SalesforceConfig.from(valid());
        Map<String, String> values = valid();
        values.put("http.connect.timeout", "5s");
        values.put("http.read.timeout", "90s");
        values.put("http.max.attempts", "2");
        values.put("http.call.deadline", "10m");
        values.put("http.max.retry.after", "5m");
        SalesforceConfig set = SalesforceConfig.from(values);

        assertThat(defaults.httpSettings().readTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(defaults.httpSettings().maxAttempts()).isEqualTo(4);
        assertThat(defaults.httpSettings().callDeadline()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(set.httpSettings().connectTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(set.httpSettings().readTimeout()).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(set.httpSettings().maxAttempts()).isEqualTo(2);
        assertThat(set.httpSettings().callDeadline()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(set.httpSettings().maxRetryAfter()).isEqualTo(java.time.Duration.ofMinutes(5));
    }

    @Test
    void badHttpSettingsAreReportedWithTheOtherProblems() {
        Map<String, String> values = valid();
        values.put("http.read.timeout", "0s");
        values.put("http.max.attempts", "0");
        values.put("http.call.deadline", "soon");

        assertThat(SalesforceConfig.validate(values)).extracting(ConfigProblem::key)
                .containsExactlyInAnyOrder("http.read.timeout", "http.max.attempts", "http.call.deadline");
    }

    @Test
    void anExportUrlMakesTheExportTheInboundSourceUnlessTheApiIsAskedFor() {
        Map<String, String> values = valid();
        values.put("export.url", "https://acme.my.salesforce.com/00O5e000008abcd?export=1&enc=UTF-8&xf=csv");
        assertThat(SalesforceConfig.from(values).inboundSource()).isEqualTo(SalesforceConfig.InboundSource.EXPORT);

        values.put("inbound.source", "api");
        assertThat(SalesforceConfig.from(values).inboundSource()).isEqualTo(SalesforceConfig.InboundSource.API);
    }

    @Test
    void aSchemeOnTheApiHostIsRemovedNotRefused() {
        Map<String, String> values = valid();
        values.put("api.host", "https://Acme.my.salesforce.com/");

        SalesforceConfig c = SalesforceConfig.from(values);

        assertThat(c.apiHost()).isEqualTo("acme.my.salesforce.com");
        assertThat(c.loginHost()).isEqualTo("acme.my.salesforce.com");
    }

    @Test
    void validationReportsEveryProblemAtOnce() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("api.host", "acme.my.salesforce.com");
        values.put("export.url", "https://acme.my.salesforce.com/00O5e000008abcd?export=1");
        values.put("api.version", "latest");
        values.put("query.batch.size", "50");
        values.put("optin.field", "Mobile Subscriber");
        values.put("colour", "blue");

        List<ConfigProblem> problems = new SalesforceConnectorProvider().validate(values);

        assertThat(problems).extracting(ConfigProblem::key).containsExactlyInAnyOrder("colour", "client.id", "login",
                "password", "export.url", "api.version", "query.batch.size", "optin.field");
        assertThat(problems).filteredOn(p -> p.key().equals("export.url")).first().asString().contains("=CSV");
    }

    @Test
    void createRefusesAnInvalidConfigurationListingEveryProblem() {
        Map<String, String> values = valid();
        values.remove("client.id");
        values.put("export.url", "https://acme.my.salesforce.com/00O5e000008abcd");

        assertThatThrownBy(() -> new SalesforceConnectorProvider().create(values, ConnectorContext.defaults()))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("2 problems").contains("client.id").contains("export.url");
                });
    }

    @Test
    void anExportUrlEndingInLowerCaseCsvIsAccepted() {
        Map<String, String> values = valid();
        values.put("export.url", "https://acme.my.salesforce.com/00O5e000008abcd?export=1&enc=UTF-8&xf=csv");
        assertThat(SalesforceConfig.validate(values)).isEmpty();
        values.put("export.url", "https://acme.my.salesforce.com/00O5e000008abcd?export=1&enc=UTF-8&xf=CSV");
        assertThat(SalesforceConfig.validate(values)).isEmpty();
    }

    @Test
    void clientCredentialsFlowNeedsTheAppSecretButNoUser() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("auth.flow", "client_credentials");
        values.put("client.id", "3MVG9consumer");
        values.put("api.host", "acme.my.salesforce.com");

        assertThat(SalesforceConfig.validate(values)).extracting(ConfigProblem::key).containsExactly("client.secret");
        values.put("client.secret", "s");
        assertThat(SalesforceConfig.validate(values)).isEmpty();
        assertThat(SalesforceConfig.from(values).authFlow()).isEqualTo(SalesforceConfig.AuthFlow.CLIENT_CREDENTIALS);
    }

    @Test
    void secretsNeverAppearInToStringOrProblems() {
        Map<String, String> values = valid();
        values.put("query.batch.size", "lots");

        String problems = SalesforceConfig.validate(values).toString();
        values.remove("query.batch.size");
        String typed = SalesforceConfig.from(values).toString();
        String raw = ConnectorConfig.of("salesforce", SalesforceConfig.keys(), values).toString();
        String connector = new SalesforceConnectorProvider().create(values, ConnectorContext.defaults()).toString();

        for (String text : List.of(problems, typed, raw, connector)) {
            assertThat(text).doesNotContain("pw-Secret-1").doesNotContain("TOKEN-Secret-2")
                    .doesNotContain("consumer-Secret-3");
        }
        assertThat(typed).contains("password=****").contains("login=sync@acme.example");
    }

    @Test
    void defaultMappingMapsContactFieldsAndReportHeadings() {
        FieldMapping m = new SalesforceConnectorProvider().defaultMapping();

        assertThat(m.rule(StandardField.PHONE_NUMBER).flatMap(FieldRule::apiName)).contains("MobilePhone");
        assertThat(m.rule(StandardField.EMAIL).flatMap(FieldRule::csvHeading)).contains("Email");
        assertThat(m.rule(StandardField.OPT_IN_STATUS).flatMap(FieldRule::apiName)).contains("Mobile_Subscriber__c");
        assertThat(m.rule(StandardField.CONSTITUENT_ID).flatMap(FieldRule::csvHeading)).contains("Contact ID");
        assertThat(m.rule(StandardField.STREET_1).flatMap(FieldRule::apiName)).contains("MailingStreet");
        assertThat(m.rule(StandardField.STREET_1).orElseThrow().joinedFields()).containsExactly("address_street_2");
        assertThat(m.apiNames()).containsExactly("MobilePhone", "FirstName", "LastName", "Email", "MailingStreet",
                "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry", "Mobile_Subscriber__c", "Id");
        assertThat(SalesforceMapping.defaults("SMS_Opt_In__c").rule(StandardField.OPT_IN_STATUS)
                .flatMap(FieldRule::apiName)).contains("SMS_Opt_In__c");
    }
}
