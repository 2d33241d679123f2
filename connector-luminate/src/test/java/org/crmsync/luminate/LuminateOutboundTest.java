package org.crmsync.luminate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.store.LocalChange;
import org.junit.jupiter.api.Test;

/** New opt-ins, opt-outs and changed fields pushed to Luminate, and the traps its documents warn of. */
class LuminateOutboundTest {
    @Test
    void aNewOptInBecomesAConstituentWithTheOptInMobileSourceCentersWelcomeAndEmailConsentAndIsLinked() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.config.put(LuminateConfig.CENTER_IDS, "1021, 1044");
            Profile p = f.signUp("Ana", "Diaz", "ana@example.org", LuminateFixture.cell(1));

            SyncReport r = f.outbound();

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            Map<String, String> sent = f.site.lastParams("SRConsAPI createOrUpdate");
            assertThat(sent).containsEntry("primary_email", "ana@example.org")
                    .containsEntry(LuminateSimulator.OPTIN_FIELD, "true")
                    .containsEntry("mobile_phone", LuminateFixture.cell(1)).containsEntry("name.first", "Ana")
                    .containsEntry("source", "mcommons").containsEntry("add_center_ids", "1021,1044")
                    .containsEntry("no_welcome", "false").containsEntry("email.accepts_email", "false")
                    .containsEntry("response_format", "json").doesNotContainKey("cons_id");
            LuminateSimulator.Constituent c = f.site.all().get(0);
            assertThat(f.store.findByLocalId(p.localId().orElseThrow()).orElseThrow().constituentId())
                    .contains(Long.toString(c.consId));
            assertThat(c.get(LuminateSimulator.OPTIN_FIELD)).isEqualTo("true");
            assertThat(c.get("email.accepts_email")).isEqualTo("false");
        }
    }

    @Test
    void noWelcomeOneSuppressesTheWelcomeEmail() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.config.put(LuminateConfig.NO_WELCOME, "1");
            f.config.put(LuminateConfig.SOURCE, "sms-platform");
            f.signUp("Ana", "Diaz", "ana@example.org", LuminateFixture.cell(1));

            f.outbound();

            assertThat(f.site.lastParams("SRConsAPI createOrUpdate")).containsEntry("no_welcome", "1")
                    .containsEntry("source", "sms-platform");
        }
    }

    @Test
    void aNewOptInWhoseEmailLuminateHasIsLinkedToThatConstituentNotDuplicated() {
        try (LuminateFixture f = new LuminateFixture()) {
            long existing = f.site.addConstituent("Ana", "Diaz", "ana@example.org", null, null);
            f.signUp("Ana", "Diaz", "ana@example.org", LuminateFixture.cell(1));

            SyncReport r = f.outbound();

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(f.site.all()).hasSize(1);
            assertThat(f.byEmail("ana@example.org").constituentId()).contains(Long.toString(existing));
            assertThat(f.site.find(existing).orElseThrow().get(LuminateSimulator.OPTIN_FIELD)).isEqualTo("true");
        }
    }

    @Test
    void anEmailSeveralConstituentsShareIsReportedAndNothingIsCreated() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.addConstituent("Ana", "Diaz", "ana@example.org", null, null);
            f.site.addConstituent("Ana", "D", "ana@example.org", null, null);
            f.signUp("Ana", "Diaz", "ana@example.org", LuminateFixture.cell(1));

            SyncReport r = f.outbound();

            assertThat(f.site.all()).as("createOrUpdate would have added a third").hasSize(2);
            assertThat(f.site.callCounts()).doesNotContainKey("SRConsAPI createOrUpdate");
            assertThat(r.count(Outcome.FAILED)).isEqualTo(1);
            assertThat(r.rows(Outcome.FAILED).get(0).message()).contains("several Luminate constituents");
            assertThat(f.byEmail("ana@example.org").constituentId()).isEmpty();
        }
    }

    @Test
    void anOptOutSetsTheOptInFieldFalseThroughUpdate() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.signUp("Ana", "Diaz", "ana@example.org", LuminateFixture.cell(1));
            f.outbound();
            f.optOut("ana@example.org");

            SyncReport r = f.outbound();

            assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
            Map<String, String> sent = f.site.lastParams("SRConsAPI update");
            assertThat(sent).containsEntry(LuminateSimulator.OPTIN_FIELD, "false").containsKey("cons_id");
            assertThat(f.site.all().get(0).get(LuminateSimulator.OPTIN_FIELD)).isEqualTo("false");
        }
    }

    @Test
    void liberalSyncPushesChangedStandardFieldsOfLinkedConstituents() {
        try (LuminateFixture f = new LuminateFixture()) {
            Profile p = f.signUp("Ana", "Diaz", "ana@example.org", LuminateFixture.cell(1));
            f.outbound();
            Profile linked = f.store.findByLocalId(p.localId().orElseThrow()).orElseThrow();
            f.store.update(linked.toBuilder().lastName("Diaz-Ruiz").city("Dayton").build(), LocalChange.APPLICATION);

            SyncReport r = f.outbound();

            assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
            LuminateSimulator.Constituent c = f.site.all().get(0);
            assertThat(c.get("name.last")).isEqualTo("Diaz-Ruiz");
            assertThat(c.get("primary_address.city")).isEqualTo("Dayton");
        }
    }

    @Test
    void aProfileLinkedToAConstituentLuminateNoLongerHasIsReportedNotSilentlyDropped() {
        try (LuminateFixture f = new LuminateFixture()) {
            Profile p = f.store.create(Profile.builder().firstName("Ana").lastName("Diaz").email("ana@example.org")
                    .phoneNumber(LuminateFixture.cell(1)).optInStatus(org.crmsync.model.OptInStatus.OPTED_IN)
                    .constituentId("9999999").build(), java.util.Optional.empty(), LocalChange.APPLICATION);
            f.optOut("ana@example.org");

            SyncReport r = f.outbound();

            assertThat(r.rows()).anySatisfy(row -> {
                assertThat(row.localId()).contains(p.localId().orElseThrow());
                assertThat(row.outcome()).isIn(Outcome.FAILED, Outcome.SKIPPED);
            });
            assertThat(f.site.all()).isEmpty();
        }
    }

    @Test
    void aNewOptInWithoutAnEmailIsNotSent() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.store.create(Profile.builder().firstName("Ana").phoneNumber(LuminateFixture.cell(1))
                    .optInStatus(org.crmsync.model.OptInStatus.OPTED_IN).build(), java.util.Optional.empty(),
                    LocalChange.APPLICATION);

            SyncReport r = f.outbound();

            assertThat(f.site.all()).isEmpty();
            assertThat(r.rows()).allSatisfy(row -> assertThat(row.reason()).isNotEqualTo(Reason.NONE));
        }
    }

    @Test
    void everyCallIsAFormEncodedPostWithTheJsonResponseFormat() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.signUp("Ana", "Diaz", "ana@example.org", LuminateFixture.cell(1));
            f.outbound();
            // The simulator answers anything but POST with 405 and a response_format other than json with XML.
            assertThat(f.site.callCounts().keySet()).containsExactlyInAnyOrder("SRConsAPI listUserFields",
                    "SRConsAPI getUser", "SRConsAPI createOrUpdate");
            for (String kind : List.of("SRConsAPI listUserFields", "SRConsAPI getUser", "SRConsAPI createOrUpdate")) {
                assertThat(f.site.lastParams(kind)).containsEntry("v", "1.0").containsEntry("response_format", "json");
            }
        }
    }
}
