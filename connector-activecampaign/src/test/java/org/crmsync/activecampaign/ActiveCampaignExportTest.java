package org.crmsync.activecampaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.WriteResult;
import org.crmsync.store.LocalChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seed's "Export Name Records to Active Campaign", through the engine, against the simulator. */
class ActiveCampaignExportTest {
    private final ActiveCampaignFixture f = new ActiveCampaignFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void exportingAThousandProfilesTakesFourImportsAndNeverTripsTheRateLimit() {
        for (int n = 1; n <= 1000; n++) {
            f.student(n);
        }

        SyncReport report = f.export();

        System.out.println("ActiveCampaign export of 1,000 new profiles: " + f.ac.requestCounts() + ", "
                + f.ac.totalRequests() + " requests, " + f.ac.throttled() + " answered 429, simulated time "
                + f.sleeper.total());
        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1000);
        assertThat(f.ac.throttled()).isZero();
        // Preflight: fields (which proves the token too), lists.
        assertThat(f.ac.requests("GET /users/me")).isZero();
        assertThat(f.ac.requests("GET /fields")).isEqualTo(1);
        assertThat(f.ac.requests("GET /lists")).isEqualTo(1);
        // One batch of 1,000: 4 imports of 250.
        assertThat(f.ac.requests("POST /import/bulk_import")).isEqualTo(4);
        // Lookups: the first page of the empty account, which is the whole account; then, a second after the
        // first import was queued, the 1,000 new contacts read back, 100 per call, to learn which email got
        // which id (the importer does not say). They show every value and list status sent, so no import
        // needs its import/info check.
        assertThat(f.ac.requests("GET /contacts")).isEqualTo(1 + 10);
        assertThat(f.ac.requests("GET /import/info")).isZero();
        assertThat(f.ac.totalRequests()).isEqualTo(17);
        assertThat(report.apiCallsUsed()).isEqualTo(17);

        assertThat(f.ac.contactCount()).isEqualTo(1000);
        String c7 = f.contactOf("S00007");
        assertThat(f.ac.value(c7, "SONIS_ID")).hasValue("S00007");
        assertThat(f.ac.value(c7, "email")).hasValue("student7@example.edu");
        assertThat(f.ac.value(c7, "HS_GRAD_DATE")).hasValue("2027-05-30");
        assertThat(f.ac.value(c7, "HOME_ADDRESS")).hasValue("7 College Ave, Apt 7, Building C");
        assertThat(f.ac.value(c7, "START_TERM")).hasValue("2027 FA");
        assertThat(f.ac.value(c7, "PROSPECT_STATUS")).hasValue("AP");
        assertThat(f.ac.listStatusOf(c7, f.listId)).hasValue("1");
        // Status IN is not one the seed exports.
        assertThat(f.ac.value(f.contactOf("S00010"), "PROSPECT_STATUS")).isEmpty();
    }

    @Test
    void aSecondExportAfterEditsOnBothSidesLeavesActiveCampaignEqualToTheLocalSide() {
        for (int n = 1; n <= 30; n++) {
            f.student(n);
        }
        f.export();
        f.clock.advance(Duration.ofHours(1));
        // Edits in ActiveCampaign...
        f.ac.edit(f.contactOf("S00001"), "HOME_CITY", "Cincinnati")
                .edit(f.contactOf("S00002"), "lastName", "Renamed")
                .edit(f.contactOf("S00003"), "HS_GRAD_DATE", "1999-01-01")
                .edit(f.contactOf("S00004"), "PREFERRED_NAME", "Typo");
        // ... and in the student-information system.
        update("S00005", b -> b.state("KY"));
        update("S00006", b -> b.extraField("name.nickname", null));
        update("S00007", b -> b.street2("Suite 9"));
        f.ac.resetCounts();

        SyncReport second = f.export();

        System.out.println("ActiveCampaign second export of 30 linked profiles, 7 changed: " + f.ac.requestCounts());
        assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        for (int n = 1; n <= 30; n++) {
            assertEqualToLocal(String.format("S%05d", n));
        }
        assertThat(f.ac.value(f.contactOf("S00006"), "PREFERRED_NAME")).isEmpty();
        // One read of the 30 linked contacts, one update by id per changed contact, nothing for the rest.
        assertThat(f.ac.requests("GET /contacts")).isEqualTo(1);
        assertThat(f.ac.requests("PUT /contacts/{id}")).isEqualTo(7);
        assertThat(f.ac.totalRequests()).isEqualTo(2 + 1 + 7);
        assertThat(second.row("S00010").orElseThrow().message()).contains("already up to date");
        assertThat(second.row("S00010").orElseThrow().outcome()).isEqualTo(Outcome.NO_DIFFERENCE);
        // The only empty string sent is the nickname SONIS cleared.
        assertThat(emptyValuesSent()).containsExactly(f.fieldIds.get("PREFERRED_NAME"));
        assertThat(f.ac.contactCount()).isEqualTo(30);
    }

    @Test
    void matchesByLocalIdThenByNameAndEmailOverwritesActiveCampaignEditsAndWritesTheLocalIdOnce() {
        String byLocalId = f.ac.addContact("old.address@example.edu", "Firts1", "Last1");
        f.ac.edit(byLocalId, "SONIS_ID", "S00001");
        String byNameAndEmail = f.ac.addContact("STUDENT2@example.edu", "First2", "Last2");
        String sameEmailOtherName = f.ac.addContact("student3@example.edu", "Someone", "Else");
        f.student(1);
        f.student(2);
        f.student(3);

        SyncReport report = f.export();

        assertThat(report.row("S00001").orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(f.contactOf("S00001")).isEqualTo(byLocalId);
        assertThat(f.ac.value(byLocalId, "email")).hasValue("student1@example.edu");
        assertThat(f.ac.value(byLocalId, "firstName")).hasValue("First1");
        assertThat(f.contactOf("S00002")).isEqualTo(byNameAndEmail);
        assertThat(f.ac.value(byNameAndEmail, "SONIS_ID")).hasValue("S00002");
        // ActiveCampaign keeps one contact per email: a namesake is reported, never overwritten.
        RecordResult clash = report.row("S00003").orElseThrow();
        assertThat(clash.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(clash.message()).contains("EMAIL_IN_USE").contains(sameEmailOtherName);
        assertThat(f.ac.value(sameEmailOtherName, "firstName")).hasValue("Someone");
        assertThat(f.ac.contactCount()).isEqualTo(3);

        f.ac.edit(byLocalId, "SONIS_ID", "HAND-EDITED");
        f.export();

        assertThat(f.ac.value(byLocalId, "SONIS_ID")).hasValue("HAND-EDITED");
    }

    @Test
    void aFilterChoosesWhichProfilesTheManualExportSends() {
        for (int n = 1; n <= 6; n++) {
            f.student(n);
        }

        SyncReport report = f.engine.run(f.job(SyncDirection.OUTBOUND).fullExport(true)
                .exportFilter(p -> p.localId().orElse("").compareTo("S00004") >= 0).build());

        assertThat(report.rows()).extracting(RecordResult::key).containsExactly("S00004", "S00005", "S00006");
        assertThat(f.ac.contactCount()).isEqualTo(3);
    }

    @Test
    void fewRecordsGoThroughContactSyncAndAreSubscribedToTheList() {
        f.student(1);
        f.student(2);

        SyncReport report = f.export();

        assertThat(report.count(Outcome.CREATED)).isEqualTo(2);
        assertThat(f.ac.requests("POST /contact/sync")).isEqualTo(2);
        assertThat(f.ac.requests("POST /contactLists")).isEqualTo(2);
        // One read of both new contacts by id, to check their list status before subscribing them.
        assertThat(f.ac.requests("GET /contacts")).isEqualTo(1 + 1);
        assertThat(f.ac.requests("POST /import/bulk_import")).isZero();
        assertThat(f.ac.listStatusOf(f.contactOf("S00001"), f.listId)).hasValue("1");
        assertThat(f.ac.value(f.contactOf("S00002"), "SONIS_ID")).hasValue("S00002");
    }

    @Test
    void neverSubscribesAgainSomeoneWhoUnsubscribedNeitherInBulkNorOneByOne() {
        List<String> contacts = new ArrayList<>();
        for (int n = 1; n <= 12; n++) {
            String id = f.ac.addContact("student" + n + "@example.edu", "First" + n, "Last" + n);
            f.ac.listStatus(id, f.listId, 2);
            contacts.add(id);
            f.student(n);
        }

        SyncReport bulk = f.export();

        assertThat(f.ac.requests("POST /import/bulk_import")).isEqualTo(1);
        assertThat(bulk.count(Outcome.UPDATED)).isEqualTo(12);
        for (String id : contacts) {
            assertThat(f.ac.listStatusOf(id, f.listId)).hasValue("2");
        }
        assertThat(f.ac.writeBodies()).noneMatch(b -> b.toString().contains("\"subscribe\""));

        f.clock.advance(Duration.ofHours(1));
        update("S00001", b -> b.city("Columbus"));
        SyncReport single = f.export();

        assertThat(single.row("S00001").orElseThrow().message()).contains("unsubscribed").contains("not subscribed again");
        assertThat(f.ac.requests("PUT /contacts/{id}")).isEqualTo(1);
        assertThat(f.ac.listStatusOf(contacts.get(0), f.listId)).hasValue("2");
        assertThat(f.ac.resubscriptions()).isZero();
    }

    @Test
    void aContactCreatedAndUnsubscribedElsewhereBetweenLookupAndWriteIsNotSubscribedAgain() {
        f.student(1);
        String[] elsewhere = new String[1];
        // Another integration of the account creates the same person after our lookup, and they
        // unsubscribe; contact/sync then finds that contact by email instead of creating one.
        f.ac.beforeNextContactSync(() -> {
            elsewhere[0] = f.ac.addContact("student1@example.edu", "First1", "Last1");
            f.ac.listStatus(elsewhere[0], f.listId, 2);
        });

        SyncReport report = f.export();

        assertThat(f.ac.contactCount()).isEqualTo(1);
        assertThat(f.contactOf("S00001")).isEqualTo(elsewhere[0]);
        assertThat(f.ac.listStatusOf(elsewhere[0], f.listId)).hasValue("2");
        assertThat(f.ac.resubscriptions()).isZero();
        assertThat(f.ac.requests("POST /contactLists")).isZero();
        assertThat(report.row("S00001").orElseThrow().message()).contains("unsubscribed")
                .contains("not subscribed again");
    }

    @Test
    void aLocalOptOutUnsubscribesTheContact() {
        f.student(1);
        f.export();
        update("S00001", b -> b.optInStatus(OptInStatus.OPTED_OUT));

        f.export();

        assertThat(f.ac.listStatusOf(f.contactOf("S00001"), f.listId)).hasValue("2");
    }

    @Test
    void importsOfUpdatesAreCheckedWithImportInfoWhichIsRetriedWhenItFailsOrItsAnswerIsLost() {
        for (int n = 1; n <= 20; n++) {
            f.student(n);
        }
        f.export();
        for (int n = 1; n <= 20; n++) {
            update(String.format("S%05d", n), b -> b.optInStatus(OptInStatus.OPTED_OUT));
        }
        f.ac.resetCounts();
        f.ac.answerNext("GET /import/info", 1, com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                .withStatus(503).withHeader("Content-Type", "application/json").withBody("{\"message\":\"busy\"}"));
        f.ac.applyThenDropNext("GET /import/info");

        SyncReport report = f.export();

        // An import of existing contacts changes nothing a read of new contacts would show: import/info says
        // when it is done. Its check is a GET, so a 503 and a lost answer are sent again.
        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.UPDATED)).isEqualTo(20);
        assertThat(f.ac.requests("GET /import/info")).isEqualTo(3);
        assertThat(f.ac.listStatusOf(f.contactOf("S00020"), f.listId)).hasValue("2");
    }

    @Test
    void aChangedEmailUpdatesTheSameContactById() {
        f.student(1);
        f.export();
        String contact = f.contactOf("S00001");
        update("S00001", b -> b.email("ada.new@example.edu"));
        f.ac.resetCounts();

        SyncReport report = f.export();

        assertThat(report.row("S00001").orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(f.ac.requests("PUT /contacts/{id}")).isEqualTo(1);
        assertThat(f.ac.requests("POST /contact/sync")).isZero();
        assertThat(f.ac.contactCount()).isEqualTo(1);
        assertThat(f.ac.value(contact, "email")).hasValue("ada.new@example.edu");
    }

    @Test
    void absentValuesAreNeverSentAsEmptyStrings() {
        Profile sparse = Profile.builder().localId("S09999").firstName("Bo").lastName("Reed").email("bo@example.edu")
                .build();
        f.store.create(sparse, Optional.empty(), LocalChange.APPLICATION);
        String existing = f.ac.addContact("cy@example.edu", "Cy", "Young");
        f.ac.edit(existing, "HOME_CITY", "Kept"); // "changeable in ActiveCampaign": kept while SONIS has none
        f.store.create(Profile.builder().localId("S09998").firstName("Cy").lastName("Young").email("cy@example.edu")
                .build(), Optional.empty(), LocalChange.APPLICATION);

        f.export();

        assertThat(emptyValuesSent()).isEmpty();
        assertThat(f.ac.value(existing, "HOME_CITY")).hasValue("Kept");
        assertThat(f.ac.value(existing, "SONIS_ID")).hasValue("S09998");
    }

    @Test
    void aBulkExportRunsNoneOfTheAccountsAutomationsUnlessConfiguredTo() {
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }

        SyncReport report = f.export();

        assertThat(report.count(Outcome.CREATED)).isEqualTo(12);
        assertThat(f.ac.requests("POST /import/bulk_import")).isEqualTo(1);
        assertThat(f.ac.automationsRunOn()).isEmpty();
        List<JsonNode> imported = new ArrayList<>();
        f.ac.writeBodies().stream().filter(b -> b.has("contacts")).forEach(b -> b.get("contacts").forEach(imported::add));
        assertThat(imported).hasSize(12)
                .allSatisfy(c -> assertThat(c.path("exclude_automations").asBoolean()).isTrue());
    }

    @Test
    void aBulkExportConfiguredToRunTheAccountsAutomationsLetsThemRunOnEveryContact() {
        f.config.put(ActiveCampaignConfig.IMPORT_RUN_AUTOMATIONS, "true");
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }

        f.export();

        assertThat(f.ac.automationsRunOn()).hasSize(12).containsExactlyInAnyOrderElementsOf(f.ac.contactIds());
    }

    @Test
    void singleContactImportsAreSpacedToTheImportersTwentyAMinute() {
        f.config.put(ActiveCampaignConfig.BULK_THRESHOLD, "1");
        ConnectorSession session = f.connector().open(new DirectContext(f.mapping, f.policy, f.clock));
        List<WriteResult> results = new ArrayList<>();

        // One write of one contact every few seconds (each waits 2 s for import/info): 25 in about a minute.
        for (int n = 1; n <= 25; n++) {
            results.addAll(session.write(List.of(RemoteWrite.create("S" + n, Map.of("email", "one" + n + "@example.edu",
                    "firstName", "One", "lastName", "Contact" + n), OptInStatus.OPTED_IN))));
        }

        assertThat(results).hasSize(25).allSatisfy(r -> assertThat(r.status()).isEqualTo(WriteResult.Status.CREATED));
        assertThat(f.ac.requests("POST /import/bulk_import")).isEqualTo(25);
        assertThat(f.ac.importsRefusedForRate()).isZero();
        assertThat(f.ac.contactCount()).isEqualTo(25);
    }

    @Test
    void anImportRefusedForTheImportersRateIsSentAgainAMinuteLaterInsteadOfFailingTheBatch() {
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }
        f.ac.importsElsewhere(100); // another integration of the account used the importer's minute up

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(12);
        assertThat(f.ac.importsRefusedForRate()).isEqualTo(1);
        assertThat(f.ac.requests("POST /import/bulk_import")).isEqualTo(2);
        assertThat(f.sleeper.sleeps()).contains(Duration.ofMinutes(1));
        assertThat(f.state.pending("ac-export", SyncDirection.OUTBOUND)).isEmpty();
    }

    @Test
    void anImporterThatStillRefusesForItsRateAfterTheLastAttemptLeavesTheBatchForTheNextRun() {
        f.config.put("http.max.attempts", "1");
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }
        f.ac.importsElsewhere(100);

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("Rate limit exceeded").contains("next run");
        assertThat(f.state.pending("ac-export", SyncDirection.OUTBOUND)).hasSize(12);
        assertThat(f.ac.contactCount()).isZero();
    }

    @Test
    void bulkImportsStayUnder250ContactsAnd400KilobytesEach() {
        // 400 contacts of about 2.3 KB each: two imports by count (250 + 150), three by size.
        for (int n = 1; n <= 400; n++) {
            Profile p = f.student(n);
            f.store.update(p.toBuilder().extraField("prospect.memo1", "m".repeat(2_000)).build(),
                    LocalChange.APPLICATION);
        }

        SyncReport report = f.export();

        assertThat(report.count(Outcome.CREATED)).isEqualTo(400);
        List<JsonNode> imports = f.ac.writeBodies().stream().filter(b -> b.has("contacts")).toList();
        assertThat(imports).hasSizeGreaterThan(2);
        assertThat(imports).allSatisfy(b -> {
            assertThat(b.get("contacts").size()).isLessThanOrEqualTo(250);
            assertThat(b.toString().length()).isLessThan(400_000);
        });
        assertThat(imports.stream().mapToInt(b -> b.get("contacts").size()).sum()).isEqualTo(400);
    }

    @Test
    void aSlowImportIsPolledThroughTheSleeperUntilItCompletes() {
        f.ac.importDelay(Duration.ofSeconds(7));
        for (int n = 1; n <= 20; n++) {
            f.student(n);
        }

        SyncReport report = f.export();

        assertThat(report.count(Outcome.CREATED)).isEqualTo(20);
        // A second after it was queued the new contacts are read, and there are none yet; so import/info is
        // checked, and again after waits that double: at about 1, 3 and 7 s (it completes at 7 s).
        assertThat(f.ac.requests("GET /import/info")).isEqualTo(3);
        assertThat(f.sleeper.sleeps()).containsSubsequence(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4));
    }

    @Test
    void aSlowImportIsCheckedAtGrowingIntervalsUpToHalfAMinuteNotEveryTwoSecondsUntilTheTimeout() {
        f.ac.importDelay(Duration.ofHours(1));
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("still").contains("next run");
        // 1, 2, 4, 8, 16 s, then every 30 s until the 10-minute timeout: 24 checks, not 600.
        assertThat(f.ac.requests("GET /import/info")).isEqualTo(24);
        List<Duration> waits = f.sleeper.sleeps().stream().filter(d -> d.compareTo(Duration.ofSeconds(1)) >= 0).toList();
        assertThat(waits).startsWith(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(30));
        assertThat(waits).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(30)));
        assertThat(f.state.pending("ac-export", SyncDirection.OUTBOUND)).hasSize(12);
    }

    @Test
    void anImportTheImporterGivesUpFailsTheBatchAtOnceAndLeavesItForTheNextRun() {
        f.ac.importEndsAs("failed");
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }

        SyncReport first = f.export();

        assertThat(first.status()).isEqualTo(RunStatus.FAILED);
        assertThat(first.message()).contains("ended 'failed'").contains("next run");
        assertThat(first.count(Outcome.FAILED)).isEqualTo(12);
        assertThat(f.ac.requests("GET /import/info")).isEqualTo(1); // not polled on until the timeout
        assertThat(f.state.pending("ac-export", SyncDirection.OUTBOUND)).hasSize(12);
        assertThat(f.ac.contactCount()).isZero();

        f.ac.importEndsAs("completed");
        f.clock.advance(Duration.ofHours(1));
        SyncReport second = f.export();

        assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(second.count(Outcome.CREATED)).isEqualTo(12);
        assertThat(f.ac.contactCount()).isEqualTo(12);
        assertThat(f.state.pending("ac-export", SyncDirection.OUTBOUND)).isEmpty();
    }

    @Test
    void anImportTheImporterGivesUpFailsOnlyItsOwnRecordsWhileTheBatchsOtherImportsKeepTheirResults() {
        f.ac.beforeNext("POST /import/bulk_import", () -> f.ac.beforeNext("POST /import/bulk_import",
                () -> f.ac.nextImportEndsAs("failed"))); // the second of the batch's three imports
        for (int n = 1; n <= 600; n++) {
            f.student(n);
        }

        SyncReport first = f.export();

        assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(first.count(Outcome.CREATED)).isEqualTo(350);
        assertThat(first.count(Outcome.FAILED)).isEqualTo(250);
        assertThat(first.row("S00300").orElseThrow().message()).contains("ended 'failed'").contains("next run");
        assertThat(f.state.pending("ac-export", SyncDirection.OUTBOUND)).hasSize(250);
        assertThat(f.ac.contactCount()).isEqualTo(350);
        assertThat(f.contactOf("S00001")).isNotBlank();
        assertThat(f.contactOf("S00600")).isNotBlank();

        f.clock.advance(Duration.ofHours(1));
        SyncReport second = f.export();

        assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(second.count(Outcome.CREATED)).isEqualTo(250);
        assertThat(f.ac.contactCount()).isEqualTo(600);
        assertThat(f.state.pending("ac-export", SyncDirection.OUTBOUND)).isEmpty();
    }

    @Test
    void anInterruptedImportFailsTheBatchAtOnceToo() {
        f.ac.importEndsAs("interrupted");
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("ended 'interrupted'");
        assertThat(f.ac.requests("GET /import/info")).isEqualTo(1);
    }

    @Test
    void anImportThatDoesNotCompleteInTimeIsLeftForTheNextRunWithoutDuplicates() {
        f.config.put(ActiveCampaignConfig.IMPORT_TIMEOUT, "10s");
        f.ac.importDelay(Duration.ofMinutes(30));
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }

        SyncReport first = f.export();

        assertThat(first.status()).isEqualTo(RunStatus.FAILED);
        assertThat(first.message()).contains("still").contains("next run");
        assertThat(first.count(Outcome.FAILED)).isEqualTo(12);
        assertThat(f.state.pending("ac-export", SyncDirection.OUTBOUND)).hasSize(12);

        f.clock.advance(Duration.ofHours(1)); // the import lands meanwhile
        SyncReport second = f.export();

        assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(second.count(Outcome.UPDATED)).isEqualTo(12);
        assertThat(f.ac.contactCount()).isEqualTo(12);
        assertThat(f.ac.value(f.contactOf("S00012"), "SONIS_ID")).hasValue("S00012");
    }

    @Test
    void contactsTheImporterRejectsOrFailsAreReportedAndTheOthersCreated() {
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }
        update("S00003", b -> b.email("not-an-email"));
        f.ac.importFails(e -> e.startsWith("student5@"));

        SyncReport report = f.export();

        assertThat(report.count(Outcome.CREATED)).isEqualTo(10);
        assertThat(report.row("S00003").orElseThrow().message()).contains("IMPORT_REJECTED").contains("email");
        assertThat(report.row("S00005").orElseThrow().message()).contains("IMPORT_FAILED");
        assertThat(report.row("S00005").orElseThrow().reason()).isEqualTo(Reason.VALIDATION_ERROR);
        assertThat(f.ac.requests("POST /import/bulk_import")).isEqualTo(2); // refused whole, then without S00003
    }

    @Test
    void contactsOnTheAccountsExclusionListAreReportedOnceAsExcludedAndNotSentAgain() {
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }
        update("S00007", b -> b.email("seven@blocked.example"));
        String exact = f.ac.addExclusion("student5@example.edu", "exact", "all");
        String domain = f.ac.addExclusion("@blocked.example", "end", "allEmail");
        f.ac.addExclusion("student9@example.edu", "exact", "allSms"); // text messages only: imported

        SyncReport first = f.engine.run(f.job(SyncDirection.OUTBOUND).build());

        assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(first.count(Outcome.CREATED)).isEqualTo(10);
        RecordResult five = first.row("S00005").orElseThrow();
        assertThat(five.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(five.reason()).isEqualTo(Reason.EXCLUDED_BY_CRM);
        assertThat(five.message()).contains("EMAIL_EXCLUDED").contains("exclusion list").contains("entry " + exact)
                .doesNotContain("student5");
        RecordResult seven = first.row("S00007").orElseThrow();
        assertThat(seven.reason()).isEqualTo(Reason.EXCLUDED_BY_CRM);
        assertThat(seven.message()).contains("entry " + domain).doesNotContain("blocked.example");
        assertThat(first.row("S00009").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.ac.requests("GET /lists/exclusions")).isEqualTo(1);
        assertThat(f.ac.contactIdsWithEmail("student5@example.edu")).isEmpty();
        // Not kept for a retry: the next run does not send them again.
        assertThat(f.state.pending("ac-export", SyncDirection.OUTBOUND)).isEmpty();
        int imports = f.ac.requests("POST /import/bulk_import");

        f.clock.advance(Duration.ofHours(1));
        SyncReport next = f.engine.run(f.job(SyncDirection.OUTBOUND).build());

        assertThat(next.row("S00005")).isEmpty();
        assertThat(next.row("S00007")).isEmpty();
        assertThat(f.ac.requests("POST /import/bulk_import")).isEqualTo(imports);
    }

    @Test
    void aContactTheImporterLeavesUnexplainedWhenTheExclusionListCannotBeReadStaysUnconfirmedForTheNextRun() {
        for (int n = 1; n <= 12; n++) {
            f.student(n);
        }
        // Skipped by the importer, but the token's user may not read the exclusion list: not guessed.
        f.ac.addExclusion("student5@example.edu", "exact", "all");
        f.ac.denyExclusionList();

        SyncReport report = f.export();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(11);
        RecordResult five = report.row("S00005").orElseThrow();
        assertThat(five.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(five.message()).contains("IMPORT_UNCONFIRMED");
        assertThat(f.state.pending("ac-export", SyncDirection.OUTBOUND)).extracting(p -> p.key())
                .containsExactly("S00005");
    }

    private void update(String localId, java.util.function.UnaryOperator<Profile.Builder> change) {
        f.store.update(change.apply(f.profile(localId).toBuilder()).build(), LocalChange.APPLICATION);
    }

    /** Every mapped field of the contact equals what the preset makes of the local profile. */
    private void assertEqualToLocal(String localId) {
        Profile p = f.profile(localId);
        String contact = f.contactOf(localId);
        Map<String, String> expected = f.mapping.toRemote(p, Map.of(), true, x -> true);
        for (Map.Entry<String, String> e : expected.entrySet()) {
            if (e.getKey().equals(ActiveCampaignMapping.LIST_STATUS)) {
                continue;
            }
            assertThat(f.ac.value(contact, e.getKey())).as(localId + " " + e.getKey()).hasValue(e.getValue());
        }
    }

    /** The custom field ids (or standard field names) that writes sent with an empty string. */
    private List<String> emptyValuesSent() {
        List<String> empty = new ArrayList<>();
        for (JsonNode body : f.ac.writeBodies()) {
            JsonNode contact = body.path("contact");
            contact.properties().forEach(e -> {
                if (e.getValue().isTextual() && e.getValue().asText().isEmpty()) {
                    empty.add(e.getKey());
                }
            });
            contact.path("fieldValues").forEach(fv -> {
                if (fv.path("value").asText().isEmpty()) {
                    empty.add(fv.path("field").asText());
                }
            });
            body.path("contacts").forEach(c -> c.path("fields").forEach(fv -> {
                if (fv.path("value").asText().isEmpty()) {
                    empty.add(fv.path("id").asText());
                }
            }));
        }
        return empty;
    }
}
