package org.crmsync.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.salesforce.SalesforceMapping;
import org.crmsync.salesforce.SalesforceSimulator;
import org.crmsync.schedule.SyncScheduler;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingExamplesTest {
    @TempDir
    Path dir;

    @Test
    void theMinimalProgramRunsAnInboundSync() {
        SyncReport report = MinimalSync.run();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.recordsRead()).isEqualTo(100);
        assertThat(report.count(Outcome.CREATED)).isPositive();
    }

    @Test
    void theActivityExamplePostsEachCallOnceAndItsSecondRunPostsNothing() {
        List<SyncReport> reports = ActivitySyncExample.run();

        assertThat(reports.get(0).count(Outcome.CREATED)).isPositive();
        SyncReport calls = reports.get(1);
        assertThat(calls.direction()).isEqualTo(SyncDirection.ACTIVITIES);
        assertThat(calls.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(calls.count(Outcome.CREATED)).isEqualTo(25);
        assertThat(calls.apiCallsUsed()).isEqualTo(2); // the preflight and one call of 25
        assertThat(reports.get(2).rows()).isEmpty();
    }

    @Test
    void theActionKitExampleSyncsBothWaysPostsEachCallOnceAndItsSecondRoundFindsNothingToDo() {
        List<SyncReport> reports = ActionKitExample.run();

        SyncReport inbound = reports.get(0);
        assertThat(inbound.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(inbound.count(Outcome.CREATED)).isEqualTo(15); // conservative: five are not subscribed
        SyncReport outbound = reports.get(1);
        assertThat(outbound.count(Outcome.CREATED)).isEqualTo(5);
        assertThat(outbound.count(Outcome.UPDATED)).isEqualTo(1); // the opt-out
        SyncReport calls = reports.get(2);
        assertThat(calls.direction()).isEqualTo(SyncDirection.ACTIVITIES);
        assertThat(calls.count(Outcome.CREATED)).isEqualTo(10);
        for (SyncReport again : reports.subList(3, 6)) {
            assertThat(again.status()).as(again.summary()).isEqualTo(RunStatus.COMPLETED);
            assertThat(again.count(Outcome.CREATED) + again.count(Outcome.UPDATED)).as(again.summary()).isZero();
        }
    }

    @Test
    void discoveryListsTheConnectorsOnTheClassPathWithTheirKeys() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        ListConnectors.print(ConnectorRegistry.load(), new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "connectors on the class path: [actionkit, activecampaign, everyaction, luminate, memory, salesforce]",
                "actionkit (ActionKit)", "activecampaign (ActiveCampaign)", "everyaction (EveryAction)",
                "luminate (Luminate Online)",
                "memory (In-memory demo CRM)", "salesforce (Salesforce)",
                "api.token", "security.token", "generated.contacts", "[secret]");
    }

    @Test
    void theConfigurationComesFromTheTemplateFileAndSecretsFromTheEnvironment() throws Exception {
        Path file = Path.of("config/memory.properties");
        try (Connector crm = ConfigFromProperties.connector(ConnectorRegistry.load(), file,
                Map.of("CRMSYNC_ACCESS_KEY", "from-the-environment"))) {
            assertThat(crm.providerId()).isEqualTo("memory");
            assertThat(((org.crmsync.testing.FakeConnector) crm).size()).isEqualTo(250);
        }
        assertThat(ConfigFromProperties.envName("security.token")).isEqualTo("CRMSYNC_SECURITY_TOKEN");
    }

    @Test
    void aBadConfigurationNamesEveryProblemAndNoSecret() throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "connector=memory\ngenerated.contacts=lots\nmystery.key=1\n");

        assertThatThrownBy(() -> ConfigFromProperties.connector(ConnectorRegistry.load(), file,
                Map.of("CRMSYNC_ACCESS_KEY", "top-secret-value")))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("generated.contacts", "mystery.key")
                            .doesNotContain("top-secret-value");
                });
    }

    @Test
    void theScheduleRunsInboundNightlyAndOutboundEveryFiveMinutesWithANotifier() {
        MutableClock clock = MutableClock.at("2026-09-01T01:00:00Z");
        try (SalesforceSimulator sf = SalesforceSimulator.start(clock)) {
            for (int i = 0; i < 20; i++) {
                sf.addContact(Map.of("FirstName", "P" + i, "LastName", "Doe", "Email", "p" + i + "@example.org",
                        "MobilePhone", "+1415555" + (3000 + i), "MailingCountry", "US", "Mobile_Subscriber__c", true));
            }
            Connector crm = ConnectorRegistry.load().create("salesforce", sf.connectorConfig(),
                    ConnectorContext.forLocalSimulator(clock, duration -> clock.advance(duration))); // local simulator
            InMemoryProfileStore profiles = new InMemoryProfileStore(clock);
            List<String> notified = new ArrayList<>();
            SyncScheduler scheduler = ScheduledSyncs.schedule(crm, SalesforceMapping.defaults(), profiles,
                    new InMemorySyncStateStore(), ZoneId.of("UTC"), clock,
                    (task, report) -> notified.add(task + " " + report.status()));

            clock.advance(Duration.ofHours(1));   // 02:00: the nightly inbound run
            List<SyncReport> inbound = scheduler.runDue();
            profiles.create(Profile.builder().firstName("New").lastName("Person").email("new@example.org")
                    .phoneNumber("+16085557001").optInStatus(OptInStatus.OPTED_IN).build(), java.util.Optional.empty(),
                    LocalChange.APPLICATION);
            clock.set(Instant.parse("2026-09-01T07:00:00Z"));   // the first daytime outbound run
            List<SyncReport> outbound = scheduler.runDue();

            assertThat(notified).containsExactly("nightly inbound COMPLETED", "daytime outbound COMPLETED");
            assertThat(inbound).singleElement().satisfies(r -> assertThat(r.count(Outcome.CREATED)).isEqualTo(20));
            assertThat(outbound).singleElement().satisfies(r -> {
                assertThat(r.direction()).isEqualTo(SyncDirection.OUTBOUND);
                assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            });
            assertThat(sf.idsWhere("Email", "new@example.org")).hasSize(1);
            assertThat(scheduler.task("daytime outbound").orElseThrow().nextRun())
                    .hasValue(Instant.parse("2026-09-01T07:05:00Z"));
        }
    }
}
