package org.crmsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.WriteMode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.Authority;
import org.crmsync.policy.MatchKey;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.SyncReport;
import org.crmsync.store.LocalChange;
import org.junit.jupiter.api.Test;

/** DESIGN.md §3 "System of record", the ActiveCampaign seed's rules, driven through the fake CRM. */
class SystemOfRecordSyncTest {
    private final EngineFixture f = new EngineFixture();

    SystemOfRecordSyncTest() {
        f.mapping = FieldMapping.defaults().toBuilder()
                .rule(FieldRule.builder("local_id").apiName("SONIS_ID").writeMode(WriteMode.ONLY_WHEN_EMPTY).build())
                .rule(FieldRule.builder("created_by").apiName("created_by").writeMode(WriteMode.NEVER).build())
                .build();
        f.policy = SyncPolicy.builder().mode(SyncMode.LIBERAL).authority(Authority.LOCAL_SYSTEM_OF_RECORD)
                .requireMobileNumber(false)
                .inboundMatchOrder(MatchKey.LOCAL_ID, MatchKey.NAME_AND_EMAIL)
                .outboundMatchOrder(MatchKey.LOCAL_ID, MatchKey.NAME_AND_EMAIL).build();
    }

    private Profile student(String id, String first, String last, String email) {
        return f.store.create(Profile.builder().localId(id).firstName(first).lastName(last).email(email)
                .city("Dayton").build(), Optional.empty(), LocalChange.APPLICATION);
    }

    private SyncReport export() {
        return f.engine.run(f.job(SyncDirection.OUTBOUND).fullExport(true).build());
    }

    private SyncReport importContacts() {
        return f.engine.run(f.job(SyncDirection.INBOUND).inboundDefault("created_by", "ActiveCampaign").build());
    }

    private static Map<String, String> contact(String first, String last, String email) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("profile_first_name", first);
        c.put("profile_last_name", last);
        c.put("profile_email", email);
        return c;
    }

    @Test
    void exportCreatesUnmatchedProfilesWithEveryMappedValueAndTheLocalId() {
        student("S1", "Ada", "King", "ada@example.edu");

        SyncReport report = export();

        assertThat(report.row("S1").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        String crmId = f.profile("S1").constituentId().orElseThrow();
        assertThat(f.crm.record(crmId).orElseThrow()).containsEntry("SONIS_ID", "S1")
                .containsEntry("address_city", "Dayton").containsEntry("profile_first_name", "Ada");
    }

    @Test
    void exportMatchesByLocalIdThenByNameAndEmailAndOverwritesCrmEdits() {
        f.crm.put("AC1", Map.of("SONIS_ID", "S1", "profile_first_name", "Adah", "profile_last_name", "King",
                "profile_email", "typo@example.edu", "address_city", "Elsewhere"));
        f.crm.put("AC2", contact("Bo", "Reed", "BO@example.edu"));
        student("S1", "Ada", "King", "ada@example.edu");
        student("S2", "Bo", "Reed", "bo@example.edu");

        SyncReport report = export();

        assertThat(report.count(Outcome.UPDATED)).isEqualTo(2);
        assertThat(f.crm.size()).isEqualTo(2);
        assertThat(f.crm.record("AC1").orElseThrow()).containsEntry("profile_first_name", "Ada")
                .containsEntry("profile_email", "ada@example.edu").containsEntry("address_city", "Dayton");
        assertThat(f.crm.record("AC2").orElseThrow()).containsEntry("SONIS_ID", "S2");
        assertThat(f.profile("S2").constituentId()).hasValue("AC2");
    }

    @Test
    void theLocalIdIsWrittenOnceAndNeverChangedAfterwards() {
        student("S1", "Ada", "King", "ada@example.edu");
        export();
        String crmId = f.profile("S1").constituentId().orElseThrow();
        f.crm.put(crmId, Map.of("SONIS_ID", "HAND-EDITED"));

        export();

        assertThat(f.crm.record(crmId).orElseThrow()).containsEntry("SONIS_ID", "HAND-EDITED");
    }

    @Test
    void aFilterChoosesWhichProfilesAManualExportSends() {
        student("S1", "Ada", "King", "ada@example.edu");
        student("S2", "Bo", "Reed", "bo@example.edu");

        SyncReport report = f.engine.run(f.job(SyncDirection.OUTBOUND).fullExport(true)
                .exportFilter(p -> p.firstName().orElse("").equals("Bo")).build());

        assertThat(report.rows()).extracting(r -> r.key()).containsExactly("S2");
        assertThat(f.crm.size()).isEqualTo(1);
    }

    @Test
    void importCreatesUnknownSubscribedContactsAsProspectsAndSkipsLinkedOnes() {
        student("S1", "Ada", "King", "ada@example.edu");
        export();
        String linked = f.profile("S1").constituentId().orElseThrow();
        f.crm.put(linked, Map.of("address_city", "Changed In CRM"));
        f.crm.put("AC9", contact("Cy", "New", "cy@example.edu"));
        Map<String, String> unsubscribed = contact("Di", "Gone", "di@example.edu");
        unsubscribed.put("opt_in_status", "false");
        f.crm.put("AC10", unsubscribed);
        f.crm.put("AC11", contact("Ada", "King", "ADA@example.edu")); // same person, no id yet

        SyncReport report = importContacts();

        assertThat(report.row(linked).orElseThrow().reason()).isEqualTo(Reason.SYSTEM_OF_RECORD);
        assertThat(f.profile("S1").city()).hasValue("Dayton");
        assertThat(report.row("AC10").orElseThrow().reason()).isEqualTo(Reason.UNSUBSCRIBED);
        assertThat(report.row("AC11").orElseThrow().reason()).isEqualTo(Reason.SYSTEM_OF_RECORD);
        assertThat(report.row("AC9").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(report.row("AC9").orElseThrow().message()).isEqualTo("imported as a new prospect");
        Profile prospect = f.store.findByConstituentId("AC9").get(0);
        assertThat(prospect.extraFields()).containsEntry("created_by", "ActiveCampaign");
        assertThat(f.store.findByEmail("di@example.edu")).isEmpty();
    }

    @Test
    void anImportedProspectIsExportedOnceSoTheCrmLearnsItsLocalId() {
        f.crm.put("AC9", contact("Cy", "New", "cy@example.edu"));
        importContacts();
        String localId = f.store.findByConstituentId("AC9").get(0).localId().orElseThrow();

        SyncReport out = f.outbound();

        assertThat(out.row(localId).orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(f.crm.record("AC9").orElseThrow()).containsEntry("SONIS_ID", localId);
        assertThat(f.outbound().rows()).isEmpty();
    }

    @Test
    void aSecondExportAfterEditsOnBothSidesLeavesTheCrmEqualToTheLocalSide() {
        student("S1", "Ada", "King", "ada@example.edu");
        export();
        String crmId = f.profile("S1").constituentId().orElseThrow();
        f.crm.put(crmId, Map.of("address_city", "CRM Edit", "profile_last_name", "Kingston"));
        f.store.update(f.profile("S1").toBuilder().state("OH").build(), LocalChange.APPLICATION);

        export();

        assertThat(f.crm.record(crmId).orElseThrow()).containsEntry("address_city", "Dayton")
                .containsEntry("profile_last_name", "King").containsEntry("state", "OH");
        assertThat(f.profile("S1").optInStatus()).isEqualTo(OptInStatus.UNKNOWN);
    }
}
