package org.crmsync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.crmsync.SyncDirection;
import org.crmsync.actionkit.ActionKitSimulator;
import org.crmsync.activecampaign.ActiveCampaignMapping;
import org.crmsync.activecampaign.ActiveCampaignSimulator;
import org.crmsync.engine.SyncEngine;
import org.crmsync.everyaction.EveryActionSimulator;
import org.crmsync.engine.SyncJob;
import org.crmsync.policy.Authority;
import org.crmsync.policy.MatchKey;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.salesforce.SalesforceSimulator;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The templates in {@code examples/config} cannot drift from the keys the connectors declare. */
class ConfigTemplatesTest {
    private static final Path CONFIG = Path.of("config");
    private final ConnectorRegistry registry = ConnectorRegistry.load();
    // The test's own time: the connectors' rate limits, retries and waits go through a sleeper that
    // moves this clock, never the wall clock.
    private final MutableClock clock = MutableClock.at("2026-03-02T14:00:00Z");
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);
    // Plain HTTP only because the simulators run on this machine.
    private final ConnectorContext local = new ConnectorContext(clock, sleeper, true);

    @Test
    void thereIsATemplateForEveryConnectorOnTheClassPath() throws IOException {
        try (Stream<Path> files = Files.list(CONFIG)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(registry.ids().stream().map(id -> id + ".properties").toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"salesforce", "activecampaign", "actionkit", "everyaction", "luminate", "memory"})
    void aTemplateListsExactlyTheDeclaredKeysEachWithACommentAndNoSecretValue(String id) throws IOException {
        Path file = CONFIG.resolve(id + ".properties");
        Properties template = load(file);
        ConnectorProvider provider = registry.provider(id);

        assertThat(template.getProperty("connector")).isEqualTo(id);
        assertThat(template.stringPropertyNames().stream().filter(k -> !k.equals("connector")))
                .containsExactlyInAnyOrderElementsOf(provider.configKeys().stream().map(ConfigKey::name).toList());
        for (ConfigKey key : provider.configKeys()) {
            if (key.secret()) {
                assertThat(template.getProperty(key.name())).as("secret %s", key.name()).isBlank();
            }
        }
        assertThat(keysWithoutAComment(file)).isEmpty();
    }

    @Test
    void theSalesforceTemplateWithTheEnvironmentConfiguresAWorkingConnector() {
        try (SalesforceSimulator sf = SalesforceSimulator.start(clock)) {
            sf.addContact(Map.of("FirstName", "Ana", "LastName", "Garcia", "Email", "ana@example.org",
                    "MobilePhone", "(415) 555-2671", "MailingCountry", "United States", "Mobile_Subscriber__c", true));
            Map<String, String> env = Map.of(
                    "CRMSYNC_API_HOST", sf.host(),
                    "CRMSYNC_LOGIN", SalesforceSimulator.USERNAME,
                    "CRMSYNC_PASSWORD", SalesforceSimulator.PASSWORD,
                    "CRMSYNC_SECURITY_TOKEN", SalesforceSimulator.SECURITY_TOKEN,
                    "CRMSYNC_CLIENT_ID", SalesforceSimulator.CLIENT_ID,
                    "CRMSYNC_CLIENT_SECRET", SalesforceSimulator.CLIENT_SECRET);

            try (Connector crm = ConfigFromProperties.connector(registry, CONFIG.resolve("salesforce.properties"), env,
                    local)) {
                SyncReport report = inbound(crm, SyncPolicy.builder().mode(SyncMode.CONSERVATIVE)
                        .allowedCountries("US").build());

                assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
            }
        }
    }

    @Test
    void theActiveCampaignTemplateWithTheEnvironmentConfiguresAWorkingConnector() {
        try (ActiveCampaignSimulator ac = ActiveCampaignSimulator.start(clock)) {
            String list = ac.addList("Prospects");
            ac.addSonisFields();
            ac.listStatus(ac.addContact("maya.okafor@example.com", "Maya", "Okafor"), list, 1);
            Map<String, String> env = Map.of(
                    "CRMSYNC_API_URL", ac.apiUrl(),
                    "CRMSYNC_API_TOKEN", ActiveCampaignSimulator.TOKEN,
                    "CRMSYNC_LIST", "Prospects");

            try (Connector crm = ConfigFromProperties.connector(registry, CONFIG.resolve("activecampaign.properties"),
                    env, local)) {
                SyncReport report = inbound(crm, SyncPolicy.builder().mode(SyncMode.LIBERAL)
                        .authority(Authority.LOCAL_SYSTEM_OF_RECORD).requireMobileNumber(false)
                        .inboundMatchOrder(MatchKey.CONSTITUENT_ID, MatchKey.LOCAL_ID, MatchKey.NAME_AND_EMAIL)
                        .build(), ActiveCampaignMapping.sonisPreset());

                assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
            }
        }
    }

    @Test
    void theActionKitTemplateWithTheEnvironmentConfiguresAWorkingConnector() {
        try (ActionKitSimulator ak = ActionKitSimulator.start(clock)) {
            ak.addUser(Map.of("first_name", "Ana", "last_name", "Garcia", "email", "ana@example.org", "mobile_phone",
                    "(415) 555-2671", "country", "United States", "user_mobile_subscriber", "true"));
            Map<String, String> env = Map.of(
                    "CRMSYNC_API_HOST", ak.host(),
                    "CRMSYNC_LOGIN", ActionKitSimulator.LOGIN,
                    "CRMSYNC_PASSWORD", ActionKitSimulator.PASSWORD);

            try (Connector crm = ConfigFromProperties.connector(registry, CONFIG.resolve("actionkit.properties"), env,
                    local)) {
                SyncReport report = inbound(crm, registry.provider("actionkit").policyPreset()
                        .mode(SyncMode.CONSERVATIVE).build());

                assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
            }
        }
    }

    @Test
    void theEveryActionTemplateWithTheEnvironmentConfiguresAWorkingConnector() {
        try (EveryActionSimulator van = EveryActionSimulator.start(clock)) {
            van.addPerson("Ana", "Diaz", "ana.diaz@example.org", "+19375550100", "I");
            Map<String, String> env = Map.of(
                    "CRMSYNC_API_HOST", van.apiHost(),
                    "CRMSYNC_APP_NAME", EveryActionSimulator.APP_NAME,
                    "CRMSYNC_API_KEY", EveryActionSimulator.API_KEY);

            try (Connector crm = ConfigFromProperties.connector(registry, CONFIG.resolve("everyaction.properties"), env,
                    local)) {
                SyncReport report = inbound(crm, registry.provider("everyaction").policyPreset()
                        .mode(SyncMode.CONSERVATIVE).build());

                assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
            }
        }
    }

    @Test
    void theLuminateTemplateWithTheEnvironmentConfiguresAWorkingConnector() {
        try (org.crmsync.luminate.LuminateCrm lum = org.crmsync.luminate.LuminateCrm.start(clock)) {
            lum.site.addConstituent("Ana", "Garcia", "ana@example.org", "+14155552671", true);
            Map<String, String> c = lum.config();
            Map<String, String> env = new java.util.LinkedHashMap<>();
            for (String key : List.of("api.host", "organization.code", "api.key", "login", "password", "export.url",
                    "ftp.login", "ftp.password", "ftp.tls.certificate")) {
                env.put("CRMSYNC_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), c.get(key));
            }

            try (Connector crm = ConfigFromProperties.connector(registry, CONFIG.resolve("luminate.properties"), env,
                    local)) {
                SyncReport report = inbound(crm, registry.provider("luminate").policyPreset()
                        .mode(SyncMode.CONSERVATIVE).build());

                assertThat(report.status()).as(report.summary()).isEqualTo(RunStatus.COMPLETED);
                assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
            }
        }
    }

    private SyncReport inbound(Connector crm, SyncPolicy policy) {
        return inbound(crm, policy, registry.provider(crm.providerId()).defaultMapping());
    }

    private SyncReport inbound(Connector crm, SyncPolicy policy, org.crmsync.mapping.FieldMapping mapping) {
        return new SyncEngine(clock).run(SyncJob.builder("template-check").connector(crm)
                .profiles(new InMemoryProfileStore(clock)).state(new InMemorySyncStateStore()).mapping(mapping)
                .policy(policy).direction(SyncDirection.INBOUND).build());
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    /** Keys whose line does not follow a comment, other than {@code connector}. */
    private static Set<String> keysWithoutAComment(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> bare = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("connector=")) {
                continue;
            }
            if (i == 0 || !lines.get(i - 1).strip().startsWith("#")) {
                bare.add(line.substring(0, line.indexOf('=')));
            }
        }
        return bare.stream().collect(Collectors.toSet());
    }
}
