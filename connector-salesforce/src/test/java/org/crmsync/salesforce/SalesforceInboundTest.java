package org.crmsync.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
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
    void runsWithManyContactsSharingOneSystemModstampLoseNone() {
        Instant massUpdate = f.clock.instant();
        f.set(SalesforceConfig.QUERY_BATCH_SIZE, "200");
        addContacts(450, 0); // all with the same SystemModstamp: the clock does not move
        f.policy = f.policy.toBuilder().dailyApiQuota(3).build(); // login, describe, one page

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

    @Test
    void anExportRefusedForAnExpiredSessionIsDownloadedAgainAfterANewLogin() {
        f.set(SalesforceConfig.EXPORT_URL, f.sf.exportUrl());
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        DirectContext context = new DirectContext(f);
        assertThat(f.connector().preflight(context)).isEmpty();
        f.sf.expireSessions();

        List<String> ids = new java.util.ArrayList<>();
        try (ChangeStream rows = f.connector().readChanges(context, SyncCursor.start())) {
            rows.forEachRemaining(r -> ids.add(r.remoteId()));
        }

        assertThat(ids).hasSize(1);
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(2);
        assertThat(f.sf.requests(Kind.EXPORT)).isEqualTo(2); // the login page, then the CSV
        assertThat(context.calls().used()).isEqualTo(5); // login, describe, export, login, export
    }
}
