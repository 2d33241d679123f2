package org.crmsync.activecampaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.crmsync.SyncDirection;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seed's "Import Active Campaign Contacts", through the engine, against the simulator. */
class ActiveCampaignImportTest {
    private final ActiveCampaignFixture f = new ActiveCampaignFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void unknownContactsThatAreNotUnsubscribedBecomeProspectsWithAMessageEach() {
        f.student(1);
        f.student(2);
        f.export();
        f.clock.advance(Duration.ofHours(1));
        String linked = f.contactOf("S00001");
        f.ac.edit(linked, "HOME_CITY", "Changed In ActiveCampaign");
        String newcomer = f.ac.addContact("cy@example.org", "Cy", "New");
        f.ac.edit(newcomer, "HS_GRAD_DATE", "2027-05-30").edit(newcomer, "HOME_ADDRESS", "1 Main St, Apt 2")
                .listStatus(newcomer, f.listId, 1);
        String notOnList = f.ac.addContact("dee@example.org", "Dee", "Walker");
        String unsubscribed = f.ac.addContact("di@example.org", "Di", "Gone");
        f.ac.listStatus(unsubscribed, f.listId, 2);
        String sameAsS2 = f.ac.addContact("STUDENT2@example.edu", "First2", "Last2"); // no SONIS_ID, same person
        f.ac.edit(f.contactOf("S00002"), "email", "moved@example.edu");

        SyncReport report = f.importContacts();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        RecordResult prospect = report.row(newcomer).orElseThrow();
        assertThat(prospect.outcome()).isEqualTo(Outcome.CREATED);
        assertThat(prospect.message()).isEqualTo("imported as a new prospect");
        Profile cy = f.store.findByConstituentId(newcomer).get(0);
        assertThat(cy.firstName()).hasValue("Cy");
        assertThat(cy.extraFields()).containsEntry(ActiveCampaignMapping.SONIS_CREATED_BY, "ActiveCampaign")
                .containsEntry("prospect.hs_grad_year", "2027");
        assertThat(cy.street1()).hasValue("1 Main St"); // Home Address is split back into its lines
        assertThat(cy.street2()).hasValue("Apt 2");
        assertThat(report.row(notOnList).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(report.row(unsubscribed).orElseThrow().reason()).isEqualTo(Reason.UNSUBSCRIBED);
        assertThat(f.store.findByEmail("di@example.org")).isEmpty();
        assertThat(report.row(linked).orElseThrow().reason()).isEqualTo(Reason.SYSTEM_OF_RECORD);
        assertThat(f.profile("S00001").city()).hasValue("Dayton");
        assertThat(report.row(sameAsS2).orElseThrow().reason()).isEqualTo(Reason.SYSTEM_OF_RECORD);
        assertThat(f.store.findByEmail("student2@example.edu")).hasSize(1);
    }

    @Test
    void anImportedProspectIsExportedOnceSoActiveCampaignLearnsItsLocalId() {
        String contact = f.ac.addContact("cy@example.org", "Cy", "New");
        f.importContacts();
        String localId = f.store.findByConstituentId(contact).get(0).localId().orElseThrow();

        SyncReport out = f.engine.run(f.job(SyncDirection.OUTBOUND).build());

        assertThat(out.row(localId).orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(f.ac.value(contact, "SONIS_ID")).hasValue(localId);
        assertThat(f.ac.value(contact, "OPPORTUNITY_CREATED_BY")).hasValue("ActiveCampaign");
    }

    @Test
    void readsPagesOf100WithFieldValuesSideLoadedAndStopsWhenThePageHeldTheRest() {
        for (int n = 0; n < 250; n++) {
            String id = f.ac.addContact("p" + n + "@example.org", "P" + n, "Person");
            f.ac.edit(id, "HOME_CITY", "City" + n);
        }

        SyncReport report = f.importContacts();

        assertThat(report.count(Outcome.CREATED)).isEqualTo(250);
        assertThat(f.ac.requests("GET /contacts")).isEqualTo(3);
        assertThat(f.ac.requests("GET /contacts/{id}/fieldValues")).isZero();
        assertThat(f.store.findByEmail("p249@example.org").get(0).city()).hasValue("City249");
        List<String> reads = f.ac.requestLog().stream().filter(r -> r.startsWith("GET /contacts?")).toList();
        assertThat(reads.get(0)).contains("orders[id]=ASC").contains("limit=100")
                .contains("include=fieldValues,contactLists").doesNotContain("id_greater");
        assertThat(reads.get(1)).contains("id_greater=199");
    }

    @Test
    void theNextImportReadsOnlyContactsUpdatedSinceTheLastOne() {
        f.ac.addContact("a@example.org", "A", "One");
        f.ac.addContact("b@example.org", "B", "Two");
        f.clock.advance(Duration.ofHours(1));
        f.importContacts();
        f.clock.advance(Duration.ofHours(2));
        String later = f.ac.addContact("c@example.org", "C", "Three");
        f.ac.resetCounts();

        SyncReport second = f.importContacts();

        assertThat(second.rows()).extracting(RecordResult::key).containsExactly(later);
        String read = f.ac.requestLog().stream().filter(r -> r.startsWith("GET /contacts?")).findFirst().orElseThrow();
        LocalDate dayBefore = LocalDate.ofInstant(f.clock.instant(), java.time.ZoneOffset.UTC).minusDays(1);
        assertThat(read).contains("filters[updated_after]=" + dayBefore).contains("orders[id]=ASC");
    }

    @Test
    void aPolicyLookBackReadsAgainWhatChangedThatLongBeforeTheLastImportInTheSameRequests() {
        String a = f.ac.addContact("a@example.org", "A", "One");
        String b = f.ac.addContact("b@example.org", "B", "Two");
        f.clock.advance(Duration.ofHours(1));
        f.importContacts();
        f.clock.advance(Duration.ofHours(2));
        String later = f.ac.addContact("c@example.org", "C", "Three");
        f.policy = f.policy.toBuilder().inboundLookback(Duration.ofHours(2)).build();
        f.ac.resetCounts();

        SyncReport second = f.importContacts();

        assertThat(second.rows()).extracting(RecordResult::key).containsExactly(a, b, later);
        assertThat(second.row(later).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.store.findByEmail("a@example.org")).hasSize(1); // read again, not imported twice
        // The filter asks from the day before anyway: the look-back costs no request.
        assertThat(f.ac.requests("GET /contacts")).isEqualTo(1);
        assertThat(f.connector().defaultInboundLookback()).isZero(); // the scan's own overlap is the default
    }

    @Test
    void anIgnoredUpdatedAfterFilterIsCaughtByCheckingEachContactsUdate() {
        f.ac.ignoreParameter("filters[updated_after]");
        f.ac.addContact("a@example.org", "A", "One");
        f.ac.addContact("b@example.org", "B", "Two");
        f.clock.advance(Duration.ofHours(1));
        f.importContacts();
        f.clock.advance(Duration.ofDays(5));
        String later = f.ac.addContact("c@example.org", "C", "Three");

        SyncReport second = f.importContacts();

        assertThat(second.rows()).extracting(RecordResult::key).containsExactly(later);
    }

    @Test
    void pagingParametersActiveCampaignIgnoredFailTheReadInsteadOfLoopingForever() {
        f.ac.ignoreParameter("id_greater");
        for (int n = 0; n < 150; n++) {
            f.ac.addContact("p" + n + "@example.org", "P" + n, "Person");
        }

        SyncReport report = f.importContacts();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("ignored the paging parameters");
        assertThat(report.count(Outcome.CREATED)).isEqualTo(100); // the first page was applied; its cursor kept
    }
}
