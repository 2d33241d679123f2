package org.crmsync.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncListener;
import org.crmsync.ErrorCode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.salesforce.SalesforceSimulator.Kind;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SalesforceInboundTest {
    private final SalesforceFixture f = new SalesforceFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private void addContacts(int n, int from) {
        for (int i = from; i < from + n; i++) {
            f.sf.addContact(SalesforceFixture.contact("First" + i, "Last" + i, "p" + i + "@example.org",
                    "+1415555" + (2000 + i), true));
        }
    }

    @Test
    void newContactsBecomeProfilesWithTheContactIdAsConstituentId() {
        Map<String, Object> ana = SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "(415) 555-2671", true);
        ana.put("MailingStreet", "100 Congress Ave\nSuite 200");
        ana.put("MailingCity", "Austin");
        String id = f.sf.addContact(ana);

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        Profile p = f.profiles().get(0);
        assertThat(p.constituentId()).contains(id);
        assertThat(p.phoneNumber()).contains("+14155552671");
        assertThat(p.optInStatus()).isEqualTo(OptInStatus.OPTED_IN);
        assertThat(p.street1()).contains("100 Congress Ave");
        assertThat(p.street2()).contains("Suite 200");
        assertThat(p.city()).contains("Austin");
        assertThat(f.store.optInPath(p.localId().orElseThrow())).contains("web-path-1");
    }

    @Test
    void readingAThousandChangedContactsTakesThreeCallsLoginDescribeAndOneQueryPage() {
        addContacts(1000, 0);
        f.inbound();
        f.clock.advance(Duration.ofHours(1));
        for (Map<String, Object> c : f.sf.contacts()) {
            f.sf.updateContact((String) c.get("Id"), Map.of("MailingCity", "Austin"));
        }
        f.reconnect(); // a login and a preflight of its own, as the nightly run has
        f.sf.resetCounts();

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.UPDATED)).isEqualTo(1000);
        assertThat(f.profiles()).allSatisfy(p -> assertThat(p.city()).contains("Austin"));
        System.out.println("Salesforce, inbound read of 1,000 changed contacts: " + f.sf.totalRequests()
                + " HTTP calls = " + f.sf.requests(Kind.LOGIN) + " login + " + f.sf.requests(Kind.DESCRIBE)
                + " describe + " + (f.sf.requests(Kind.QUERY) + f.sf.requests(Kind.QUERY_MORE)) + " query pages");
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(1);
        assertThat(f.sf.requests(Kind.DESCRIBE)).isEqualTo(1);
        // Pages of 2,000 (query.batch.size's default, Salesforce's largest): the thousand in one.
        assertThat(f.sf.requests(Kind.QUERY)).isEqualTo(1);
        assertThat(f.sf.requests(Kind.QUERY_MORE) + f.sf.requests(Kind.COMPOSITE)).isZero();
        assertThat(report.apiCallsUsed()).isEqualTo(f.sf.totalRequests()).isEqualTo(3);
    }

    @Test
    void pagesAreFollowedByNextRecordsUrlUntilDone() {
        f.set(SalesforceConfig.QUERY_BATCH_SIZE, "200");
        addContacts(450, 0);

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(450);
        assertThat(f.sf.requests(Kind.QUERY)).isEqualTo(1);
        assertThat(f.sf.requests(Kind.QUERY_MORE)).isEqualTo(2);
        // login, describe, and three pages
        assertThat(report.apiCallsUsed()).isEqualTo(5);
    }

    @Test
    void aQueryLocatorThatExpiresDuringALongReadRestartsTheQueryAfterTheLastRecordReadLosingAndRepeatingNone() {
        Instant massUpdate = f.clock.instant();
        f.set(SalesforceConfig.QUERY_BATCH_SIZE, "200");
        addContacts(450, 0); // one SystemModstamp for all: only the Id tells the rest of the query apart
        List<String> applied = new java.util.ArrayList<>();
        // Applying the first page takes 16 minutes: the locator expires after 15 idle ones.
        SyncListener slow = new SyncListener() {
            @Override
            public void onRecord(RecordResult result) {
                applied.add(result.remoteId().orElseThrow());
                if (applied.size() == 200) {
                    f.clock.advance(Duration.ofMinutes(16));
                }
            }
        };

        // One preparing thread: records are read only as they are applied (no group read ahead), so the
        // listener's pause is the stream's idle time, as a slow store makes it.
        SyncReport report = new org.crmsync.engine.SyncEngine(f.clock, Duration.ZERO, 1)
                .run(f.job(SyncDirection.INBOUND).listener(slow).build());

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(450);
        assertThat(report.count(Outcome.NO_DIFFERENCE)).isZero();
        assertThat(applied).hasSize(450).doesNotHaveDuplicates();
        assertThat(f.profiles()).hasSize(450);
        // The expired page, the query asked again after the 200th record, and its one next page.
        assertThat(f.sf.requests(Kind.QUERY)).isEqualTo(2);
        assertThat(f.sf.requests(Kind.QUERY_MORE)).isEqualTo(2);
        assertThat(f.sf.queries().get(1)).contains("WHERE (SystemModstamp = " + massUpdate + " AND Id > '"
                + applied.get(199) + "') OR SystemModstamp > " + massUpdate);
        assertThat(report.cursorAfter().get("id")).contains(applied.get(449));
    }

    @Test
    void aRestartedQueryWhoseLocatorFailsBeforeItReturnsAnyRecordEndsTheReadInsteadOfLooping() {
        f.set(SalesforceConfig.QUERY_BATCH_SIZE, "200");
        addContacts(450, 0);
        try (ChangeStream changes = f.changes(new DirectContext(f), SyncCursor.start())) {
            for (int i = 0; i < 200; i++) {
                changes.next();
            }
            f.sf.expireQueryLocators();
            // The query asked again answers an empty first page whose locator Salesforce does not know either.
            f.sf.answerNext(Kind.QUERY, 1, aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody("{\"totalSize\":250,\"done\":false,\"nextRecordsUrl\":\"/services/data/v"
                            + SalesforceSimulator.API_VERSION + "/query/01gSIMgone-0\",\"records\":[]}"));

            CrmSyncException e = catchThrowableOfType(CrmSyncException.class, changes::hasNext);

            assertThat(e.getMessage()).contains("INVALID_QUERY_LOCATOR").contains("asked again")
                    .contains("next run");
        }
        assertThat(f.sf.requests(Kind.QUERY)).isEqualTo(2);
        assertThat(f.sf.requests(Kind.QUERY_MORE)).isEqualTo(2);
    }

    @Test
    void runsWithManyContactsSharingOneSystemModstampLoseNone() {
        Instant massUpdate = f.clock.instant();
        f.set(SalesforceConfig.QUERY_BATCH_SIZE, "200");
        addContacts(450, 0); // all with the same SystemModstamp: the clock does not move
        // The compound cursor alone, without the default look-back: nothing is read twice. The quota
        // allows login, describe and one page.
        f.policy = f.policy.toBuilder().inboundLookback(Duration.ZERO).dailyApiQuota(3).build();

        SyncReport first = f.inbound();

        assertThat(first.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(f.profiles()).hasSize(200);
        assertThat(first.cursorAfter().get("modstamp")).contains(massUpdate.toString());

        f.nextDay();
        f.policy = f.policy.toBuilder().noDailyApiQuota().build();
        SyncReport second = f.inbound();

        assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(second.count(Outcome.CREATED)).isEqualTo(250);
        assertThat(f.profiles()).hasSize(450);
        String soql = f.sf.queries().get(1);
        assertThat(soql).contains("WHERE (SystemModstamp = " + massUpdate + " AND Id > '")
                .contains(") OR SystemModstamp > " + massUpdate + " ORDER BY SystemModstamp ASC, Id ASC")
                .doesNotContain("'" + massUpdate);

        // More contacts land on the very same timestamp after the run: the next run still finds them.
        f.clock.set(massUpdate);
        addContacts(30, 450);
        SyncReport third = f.inbound();

        assertThat(third.count(Outcome.CREATED)).isEqualTo(30);
        assertThat(third.count(Outcome.NO_DIFFERENCE)).isZero();
        assertThat(f.profiles()).hasSize(480);
    }

    @Test
    void aLookBackStillResumesAfterTheCompoundCursorWhenTheQuotaCutsARunInsideABusyTimestamp() {
        Instant massUpdate = f.clock.instant();
        f.set(SalesforceConfig.QUERY_BATCH_SIZE, "200");
        addContacts(650, 0); // one SystemModstamp for all
        f.policy = f.policy.toBuilder().inboundLookback(Duration.ofMinutes(10)).dailyApiQuota(3).build();

        // A day's quota: login (first run only), describe, and one or two pages of 200. Every run moves on.
        SyncReport first = f.inbound();
        assertThat(first.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(f.profiles()).hasSize(200);
        f.nextDay();
        SyncReport second = f.inbound();
        assertThat(second.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(second.count(Outcome.CREATED)).isEqualTo(400);
        assertThat(second.count(Outcome.NO_DIFFERENCE)).isZero();
        assertThat(f.profiles()).hasSize(600);
        f.nextDay();
        SyncReport third = f.inbound();
        assertThat(third.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(third.count(Outcome.CREATED)).isEqualTo(50);
        assertThat(f.profiles()).hasSize(650);

        // The cut-off pass resumed after (SystemModstamp, Id), without looking back.
        for (String resumed : f.sf.queries().subList(1, 3)) {
            assertThat(resumed).contains("WHERE (SystemModstamp = " + massUpdate + " AND Id > '")
                    .doesNotContain(">=");
        }
        // That pass reached its end, so the next run is a new pass and looks back again.
        assertThat(third.cursorAfter().get("pass")).isEmpty();
        f.nextDay();
        f.policy = f.policy.toBuilder().noDailyApiQuota().build();
        SyncReport fourth = f.inbound();
        assertThat(f.sf.queries().get(3)).contains("WHERE SystemModstamp >= " + massUpdate.minus(Duration.ofMinutes(10)));
        assertThat(fourth.count(Outcome.NO_DIFFERENCE)).isEqualTo(650);
    }

    @Test
    void aLookBackReReadsRecentChangesHarmlessly() {
        addContacts(3, 0);
        f.policy = f.policy.toBuilder().inboundLookback(Duration.ofMinutes(10)).build();
        f.inbound();
        f.clock.advance(Duration.ofMinutes(1));

        SyncReport again = f.inbound();

        assertThat(f.sf.queries().get(1)).contains("WHERE SystemModstamp >= 2026-03-02T05:50:00Z");
        assertThat(again.count(Outcome.NO_DIFFERENCE)).isEqualTo(3);
        assertThat(f.profiles()).hasSize(3);
    }

    @Test
    void anOptOutCommittedLateInTheCursorsSecondIsReadByTheNextRunWithTheDefaultPolicy() {
        String ana = f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        String ben = f.sf.addContact(SalesforceFixture.contact("Ben", "Ode", "ben@example.org", "+14155552672", true));
        f.inbound();
        f.clock.advance(Duration.ofHours(1));
        Instant second = f.clock.instant();
        // Ana opts out in a transaction that starts in this second but commits after the next run read it.
        SalesforceSimulator.LateCommit optOut = f.sf.updateLater(ana, Map.of("Mobile_Subscriber__c", false));
        f.sf.updateContact(ben, Map.of("MailingCity", "Austin"));
        SyncReport before = f.inbound();
        assertThat(before.cursorAfter().get("modstamp")).contains(second.toString());
        assertThat(before.cursorAfter().get("id")).contains(ben); // past Ana's Id, in her SystemModstamp
        optOut.commit();
        f.clock.advance(Duration.ofMinutes(5));

        SyncReport after = f.inbound();

        assertThat(f.store.findByConstituentId(ana)).singleElement()
                .satisfies(p -> assertThat(p.optInStatus()).isEqualTo(OptInStatus.OPTED_OUT));
        assertThat(after.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(after.count(Outcome.NO_DIFFERENCE)).isEqualTo(1); // Ben, read again in the overlap
        assertThat(f.profiles()).hasSize(2);
        assertThat(f.sf.queries().get(2)).contains("WHERE SystemModstamp >= " + second.minus(Duration.ofMinutes(10)));
    }

    /**
     * The API calls of an inbound run after 250 contacts changed in one second and one more an hour
     * later, with the policy's look-back (none set: the connector's default) or none.
     */
    private static int callsOfTheRunAfterAMassUpdate(String batchSize, Duration lookback, boolean defaultLookback) {
        try (SalesforceFixture fx = new SalesforceFixture()) {
            fx.set(SalesforceConfig.QUERY_BATCH_SIZE, batchSize);
            if (!defaultLookback) {
                fx.policy = fx.policy.toBuilder().inboundLookback(lookback).build();
            }
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 250; i++) {
                ids.add(fx.sf.addContact(SalesforceFixture.contact("First" + i, "Last" + i, "p" + i + "@example.org",
                        "+1415555" + (2000 + i), true)));
            }
            fx.inbound();
            fx.clock.advance(Duration.ofHours(1));
            fx.sf.updateContact(ids.get(0), Map.of("MailingCity", "Austin"));

            SyncReport report = fx.inbound();

            assertThat(report.count(Outcome.UPDATED)).isEqualTo(1);
            assertThat(report.count(Outcome.NO_DIFFERENCE)).isEqualTo(defaultLookback ? 249 : 0);
            return (int) report.apiCallsUsed();
        }
    }

    @Test
    void theDefaultLookBackCostsOnlyTheQueryPagesOfTheRecordsItReadsAgain() {
        // describe and one query page, with or without the overlap, at the default page size of 2,000
        assertThat(callsOfTheRunAfterAMassUpdate("2000", Duration.ZERO, false)).isEqualTo(2);
        assertThat(callsOfTheRunAfterAMassUpdate("2000", Duration.ZERO, true)).isEqualTo(2);
        // pages of 200: the 249 contacts read again take one more page
        assertThat(callsOfTheRunAfterAMassUpdate("200", Duration.ZERO, false)).isEqualTo(2);
        assertThat(callsOfTheRunAfterAMassUpdate("200", Duration.ZERO, true)).isEqualTo(3);
    }

    @Test
    void aLateCommitBeforeWhereAQuotaCutAPassIsReadWhenThatPassEnds() {
        Instant start = f.clock.instant();
        f.set(SalesforceConfig.QUERY_BATCH_SIZE, "200");
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add(f.sf.addContact(SalesforceFixture.contact("First" + i, "Last" + i, "p" + i + "@example.org",
                    "+1415555" + (2000 + i), true)));
        }
        // Contact 5 opts out in a transaction stamped in this second that commits after the first run.
        SalesforceSimulator.LateCommit optOut = f.sf.updateLater(ids.get(5), Map.of("Mobile_Subscriber__c", false));
        f.policy = f.policy.toBuilder().dailyApiQuota(3).build(); // login, describe, one page of 200
        SyncReport first = f.inbound();
        assertThat(first.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(first.cursorAfter().get("pass")).contains("open");
        optOut.commit();

        // The next day the cut-off pass resumes after (SystemModstamp, Id), past contact 5, and ends on a
        // later change; the pass after it looks back from where the first run was cut, not from its end.
        f.nextDay();
        f.policy = f.policy.toBuilder().noDailyApiQuota().build();
        f.sf.addContact(SalesforceFixture.contact("Zoe", "Cruz", "zoe@example.org", "+14155559999", true));
        SyncReport second = f.inbound();
        assertThat(second.count(Outcome.CREATED)).isEqualTo(51);
        assertThat(f.store.findByConstituentId(ids.get(5)).get(0).optInStatus()).isEqualTo(OptInStatus.OPTED_IN);
        f.clock.advance(Duration.ofMinutes(5));
        SyncReport third = f.inbound();

        assertThat(f.sf.queries().get(2)).contains("WHERE SystemModstamp >= " + start.minus(Duration.ofMinutes(10)));
        assertThat(f.store.findByConstituentId(ids.get(5)).get(0).optInStatus()).isEqualTo(OptInStatus.OPTED_OUT);
        assertThat(third.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(third.count(Outcome.NO_DIFFERENCE)).isEqualTo(250);
        // That pass ended without a cut, so the one after looks back from its own end only.
        f.clock.advance(Duration.ofMinutes(5));
        SyncReport fourth = f.inbound();
        assertThat(fourth.count(Outcome.NO_DIFFERENCE)).isEqualTo(1); // Zoe, within ten minutes of its end
        assertThat(f.profiles()).hasSize(251);
    }

    @Test
    void changesMadeInSalesforceAfterARunReachTheProfileOnTheNext() {
        String id = f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        f.inbound();
        f.clock.advance(Duration.ofHours(2));
        f.sf.updateContact(id, Map.of("MailingCity", "Austin", "Mobile_Subscriber__c", false));

        SyncReport report = f.inbound();

        assertThat(report.count(Outcome.UPDATED)).isEqualTo(1);
        Profile p = f.profiles().get(0);
        assertThat(p.city()).contains("Austin");
        assertThat(p.optInStatus()).isEqualTo(OptInStatus.OPTED_OUT);
    }

    @Test
    void theCustomExportIsReadInOneCallAndItsFooterIgnored() {
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());
        String ana = f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "(415) 555-2671", true));
        f.sf.addContact(SalesforceFixture.contact("Liam", "O'Brien", "liam@example.org", "415.555.2672", true));
        f.sf.addContact(SalesforceFixture.contact("Zoe", "Quotes \"Z\"", "zoe@example.org", "+14155552673", false));

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.rows()).hasSize(3).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.CREATED));
        assertThat(f.sf.requests(Kind.EXPORT)).isEqualTo(1);
        assertThat(f.sf.requests(Kind.QUERY)).isZero();
        assertThat(report.apiCallsUsed()).isEqualTo(3); // login, describe, the download
        // The report shows 15-character ids; profiles keep the 18-character form the API uses.
        Profile p = f.store.findByEmail("ana@example.org").get(0);
        assertThat(p.constituentId()).contains(ana);
        assertThat(f.store.findByEmail("zoe@example.org").get(0).optInStatus()).isEqualTo(OptInStatus.OPTED_OUT);
        assertThat(f.store.findByEmail("zoe@example.org").get(0).lastName()).contains("Quotes \"Z\"");
    }

    @Test
    void exportRowsAreMatchedToProfilesTheApiLinked() {
        String id = f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        f.inbound();
        f.sf.updateContact(id, Map.of("MailingCity", "Austin"));
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());

        SyncReport report = f.inbound();

        assertThat(report.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(f.profiles()).singleElement().satisfies(p -> {
            assertThat(p.city()).contains("Austin");
            assertThat(p.constituentId()).contains(id);
        });
    }

    @Test
    void conservativeSyncReadsTheCheckboxFromTheExport() {
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());
        f.policy = f.policy.toBuilder().mode(SyncMode.CONSERVATIVE).build();
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        f.sf.addContact(SalesforceFixture.contact("Ben", "Ode", "ben@example.org", "+14155552672", false));

        SyncReport report = f.inbound();

        assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(report.count(Reason.NOT_OPTED_IN)).isEqualTo(1);
    }

    @Test
    void anExportWithoutAContactIdColumnFailsNamingTheColumn() {
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("First Name", "FirstName");
        columns.put("Mobile", "MobilePhone");
        f.sf.exportColumns(columns);
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("\"Contact ID\"").contains("Salesforce report export");
        assertThat(f.profiles()).isEmpty();
    }

    /** The simulator's default report columns, with one heading renamed as a report can. */
    private static Map<String, String> columnsWith(String heading, String renamed) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (String[] c : new String[][] {{"First Name", "FirstName"}, {"Last Name", "LastName"},
                {"Mobile", "MobilePhone"}, {"Email", "Email"}, {"Mailing Street", "MailingStreet"},
                {"Mailing City", "MailingCity"}, {"Mailing State/Province", "MailingState"},
                {"Mailing Zip/Postal Code", "MailingPostalCode"}, {"Mailing Country", "MailingCountry"},
                {"Mobile Subscriber", "Mobile_Subscriber__c"}, {"Contact ID", "Id"}}) {
            columns.put(c[0].equals(heading) ? renamed : c[0], c[1]);
        }
        return columns;
    }

    @Test
    void anExportWhoseOptInColumnIsRenamedFailsBeforeAnyRecordMovesAndNamesTheHeadingsFound() {
        String ana = f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        f.policy = f.policy.toBuilder().mode(SyncMode.CONSERVATIVE).build();
        f.inbound(); // linked through the API
        f.clock.advance(Duration.ofHours(1));
        f.sf.updateContact(ana, Map.of("Mobile_Subscriber__c", false)); // she opts out in Salesforce
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());
        f.sf.exportColumns(columnsWith("Mobile Subscriber", "SMS Opt In"));
        SyncCursor before = f.state.cursor("sf-in", org.crmsync.SyncDirection.INBOUND).orElseThrow();

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("\"Mobile Subscriber\" (opt_in_status)").contains("SMS Opt In")
                .contains("Salesforce report export").doesNotContain("ana@example.org").doesNotContain("4155552671");
        assertThat(report.rows()).isEmpty();
        assertThat(report.cursorAfter()).isEqualTo(before);
        assertThat(f.state.cursor("sf-in", org.crmsync.SyncDirection.INBOUND)).contains(before);
        assertThat(f.sf.requests(Kind.EXPORT)).isEqualTo(1);

        // Mapped to the report's heading, the opt-out comes through.
        f.mapping = f.mapping.toBuilder().rule(f.mapping.rule(org.crmsync.model.StandardField.OPT_IN_STATUS)
                .orElseThrow().toBuilder().csvHeading("SMS Opt In").build()).build();
        SyncReport fixed = f.inbound();
        assertThat(fixed.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.profiles()).singleElement().satisfies(p -> assertThat(p.optInStatus()).isEqualTo(OptInStatus.OPTED_OUT));
    }

    @Test
    void anExportWhoseMobileColumnIsRenamedFailsInsteadOfSkippingEveryRow() {
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());
        f.sf.exportColumns(columnsWith("Mobile", "Mobile Phone"));
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        f.sf.addContact(SalesforceFixture.contact("Ben", "Ode", "ben@example.org", "+14155552672", true));

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("no \"Mobile\" (phone_number) column")
                .contains("headings found: \"First Name\", \"Last Name\", \"Mobile Phone\", \"Email\"");
        assertThat(report.count(Reason.NO_MOBILE_NUMBER)).isZero();
        assertThat(report.cursorAfter()).isEqualTo(SyncCursor.start());
        assertThat(f.profiles()).isEmpty();
    }

    @Test
    void anExportRefusedForAnExpiredSessionIsDownloadedAgainAfterANewLogin() {
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        DirectContext context = new DirectContext(f);
        assertThat(f.connector().open(context).preflight()).isEmpty();
        f.sf.expireSessions();

        List<String> ids = new java.util.ArrayList<>();
        try (ChangeStream rows = f.changes(context, SyncCursor.start())) {
            rows.forEachRemaining(r -> ids.add(r.remoteId()));
        }

        assertThat(ids).hasSize(1);
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(2);
        assertThat(f.sf.requests(Kind.EXPORT)).isEqualTo(2); // the login page, then the CSV
        assertThat(context.calls().used()).isEqualTo(5); // login, describe, export, login, export
    }

    @Test
    void anExportUrlOffTheOrgsHostIsRefusedBeforeTheSessionIsSent() {
        // The simulator under another name: a download sent there would reach it, and be counted.
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl().replace("127.0.0.1", "localhost"));
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
        assertThat(report.preflightProblems()).singleElement().asString().startsWith("export.url: ")
                .contains("localhost:").contains("not the org's host").contains(f.sf.host());
        assertThat(f.sf.requests(Kind.EXPORT)).isZero();

        // Past preflight, the download itself refuses too.
        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> f.changes(new DirectContext(f), SyncCursor.start()));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("export.url");
        assertThat(f.sf.issuedAccessTokens()).isNotEmpty().allSatisfy(token -> assertThat(e.getMessage())
                .doesNotContain(token));
        assertThat(f.sf.requests(Kind.EXPORT)).isZero();
        assertThat(f.profiles()).isEmpty();
    }

    @Test
    void anExportRedirectIsNotFollowedSoTheSessionCookieGoesNowhereElse() {
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        // Another host (the simulator under another name) that would serve the CSV to the session cookie.
        f.sf.redirectExport(f.sf.exportUrl().replace("127.0.0.1", "localhost") + "&moved=secret-ish");

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("HTTP 302").contains("not followed").contains("export.url")
                .doesNotContain("moved").doesNotContain("secret-ish");
        assertThat(f.sf.issuedAccessTokens()).hasSize(2).allSatisfy(token -> assertThat(report.message())
                .doesNotContain(token));
        // The redirect was taken for an expired session once: a new login, one more download, no follow.
        assertThat(f.sf.requests(Kind.EXPORT)).isEqualTo(2);
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(2);
        assertThat(f.profiles()).isEmpty();
    }

    @Test
    void requestLimitExceededOnTheExportDownloadEndsTheRunAsQuotaReached() {
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        f.sf.limitExceededNext(Kind.EXPORT, 1);

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(report.message()).contains("REQUEST_LIMIT_EXCEEDED").contains("report export");
        assertThat(f.sf.requests(Kind.EXPORT)).isEqualTo(1);
        assertThat(f.sleeper.sleeps()).isEmpty();
        assertThat(f.profiles()).isEmpty();

        f.nextDay();
        assertThat(f.inbound().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.profiles()).hasSize(1);
    }

    @Test
    void theConcurrentLimitOnTheExportDownloadIsWaitedOutAndTheDownloadSentAgain() {
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        f.sf.concurrentLimitReachedFor(Duration.ofSeconds(3), Kind.EXPORT);

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.profiles()).hasSize(1);
        assertThat(f.sf.concurrencyRefusals()).isBetween(1, 2);
        assertThat(f.sf.requests(Kind.EXPORT)).isEqualTo(f.sf.concurrencyRefusals() + 1);
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(1); // not taken for an expired session
        assertThat(f.sleeper.sleeps()).hasSize(f.sf.concurrencyRefusals());
    }
}
