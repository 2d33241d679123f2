package org.crmsync.everyaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.store.LocalChange;
import org.junit.jupiter.api.Test;

class EveryActionOutboundTest {
    private static final String ANA = "ana.diaz@example.org";
    private static final String ANA_CELL = "+19375550100";

    @Test
    void aNewOptInGoesThroughFindOrCreateWithTheCellPhoneOptedInAndAnExplicitEmailSubscription() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.signUp("Ana", "Diaz", ANA, ANA_CELL);

            SyncReport r = f.outbound();

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            long vanId = f.van.vanIds().get(0);
            assertThat(f.byEmail(ANA).constituentId()).hasValue(Long.toString(vanId));
            EveryActionSimulator.SimPerson p = f.van.find(vanId).orElseThrow();
            assertThat(p.cellPhone()).isEqualTo(ANA_CELL);
            assertThat(p.smsOptIn()).isEqualTo("I");
            assertThat(p.emailSubscribed()).hasValue(false);
            JsonNode body = f.van.lastBody("POST /people/findOrCreate").orElseThrow();
            assertThat(body.path("phones").get(0).path("phoneNumber").asText()).isEqualTo("9375550100");
            assertThat(body.path("phones").get(0).path("dialingPrefix").asText()).isEqualTo("1");
            assertThat(body.path("phones").get(0).path("phoneType").asText()).isEqualTo("C");
            assertThat(body.path("phones").get(0).path("smsOptInStatus").asText()).isEqualTo("I");
            assertThat(body.path("phones").get(0).has("phoneOptInStatus")).as("the call opt-in is left alone").isFalse();
            assertThat(body.path("emails").get(0).path("isSubscribed").isBoolean()).isTrue();
            assertThat(body.path("emails").get(0).has("isPreferred")).isFalse();
            assertThat(f.van.callCounts()).containsExactly(Map.entry("GET /apiKeyProfiles", 1),
                    Map.entry("POST /people/findOrCreate", 1));
        }
    }

    @Test
    void aNewOptInEveryActionHasByEmailIsMatchedAndLinkedNotDuplicated() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            long existing = f.van.addPerson("Ana", "Diaz", ANA, null, "U");
            f.signUp("Ana", "Diaz", ANA, ANA_CELL);

            SyncReport r = f.outbound();

            assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
            assertThat(r.rows().get(0).message()).contains("the CRM matched an existing record", "Matched");
            assertThat(f.van.vanIds()).containsExactly(existing);
            assertThat(f.byEmail(ANA).constituentId()).hasValue(Long.toString(existing));
            assertThat(f.van.find(existing).orElseThrow().smsOptIn()).isEqualTo("I");
        }
    }

    @Test
    void aFindOrCreateAnsweringWithTheWholePersonLinksToIt() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.van.findOrCreateAnswersWithThePerson(true);
            f.signUp("Ana", "Diaz", ANA, ANA_CELL);

            SyncReport r = f.outbound();

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
            assertThat(r.rows().get(0).message()).contains("does not say whether it matched or created it");
            assertThat(f.byEmail(ANA).constituentId()).hasValue(Long.toString(f.van.vanIds().get(0)));
        }
    }

    @Test
    void anOptOutSetsTheSmsOptInOfThatPhoneOnly() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            long vanId = f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");
            f.van.addPhone(vanId, "+19375550199", "H", "I", false);
            f.inbound();
            f.optOut(ANA);
            f.van.resetCounts();

            SyncReport r = f.outbound();

            assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
            assertThat(r.rows().get(0).message()).contains("opted out in the CRM");
            assertThat(f.van.find(vanId).orElseThrow().smsOptIn()).isEqualTo("O");
            JsonNode body = f.van.lastBody("POST /people/{vanId}").orElseThrow();
            assertThat(body.path("phones")).hasSize(1);
            assertThat(body.path("phones").get(0).path("phoneNumber").asText()).isEqualTo("9375550100");
            assertThat(body.path("phones").get(0).path("smsOptInStatus").asText()).isEqualTo("O");
            assertThat(body.has("emails")).as("the email is not sent again").isFalse();
            // The write names the profile's own phone, so the person is not read first.
            assertThat(f.van.callCounts()).containsExactly(Map.entry("GET /apiKeyProfiles", 1),
                    Map.entry("POST /people/{vanId}", 1));
        }
    }

    @Test
    void anOptOutOfAPhoneAlreadyOptedOutInEveryActionCostsOneCallAndLeavesItOptedOut() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            long vanId = f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");
            f.inbound();
            f.van.edit(vanId, "sms", "O");
            f.optOut(ANA);
            f.van.resetCounts();

            SyncReport r = f.outbound();

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
            assertThat(f.van.calls("GET /people/{vanId}")).isZero();
            assertThat(f.van.calls("POST /people/{vanId}")).isEqualTo(1);
            assertThat(f.van.find(vanId).orElseThrow().smsOptIn()).isEqualTo("O");
        }
    }

    @Test
    void anUnlinkedOptOutIsLookedUpWithPeopleFindAndSentToThePersonFound() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            long vanId = f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");
            Profile p = f.signUp("Ana", "Diaz", ANA, ANA_CELL);
            f.store.update(p.toBuilder().optInStatus(org.crmsync.model.OptInStatus.OPTED_OUT).build(),
                    LocalChange.APPLICATION);

            SyncReport r = f.outbound();

            assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
            assertThat(f.byEmail(ANA).constituentId()).hasValue(Long.toString(vanId));
            assertThat(f.van.find(vanId).orElseThrow().smsOptIn()).isEqualTo("O");
            assertThat(f.van.calls("POST /people/find")).isEqualTo(1);
            assertThat(f.van.calls("POST /people/findOrCreate")).isZero();
        }
    }

    @Test
    void liberalModePushesTheChangedStandardFieldsOfLinkedPeople() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            long vanId = f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");
            f.inbound();
            Profile p = f.byEmail(ANA);
            f.store.update(p.toBuilder().lastName("Diaz-Ortiz").city("Dayton").build(), LocalChange.APPLICATION);
            f.van.resetCounts();

            SyncReport r = f.outbound();

            assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
            assertThat(f.van.find(vanId).orElseThrow().lastName()).isEqualTo("Diaz-Ortiz");
            JsonNode body = f.van.lastBody("POST /people/{vanId}").orElseThrow();
            assertThat(body.path("addresses").get(0).path("city").asText()).isEqualTo("Dayton");
            assertThat(body.has("phones")).isFalse();
            assertThat(f.van.calls("GET /people/{vanId}")).as("no read: no phone is written").isZero();
        }
    }

    @Test
    void conservativeModePushesOnlyOptInChanges() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.policy = EveryActionFixture.preset(SyncMode.CONSERVATIVE);
            long vanId = f.van.addPerson("Ana", "Diaz", ANA, ANA_CELL, "I");
            f.inbound();
            Profile p = f.byEmail(ANA);
            f.store.update(p.toBuilder().lastName("Diaz-Ortiz").build(), LocalChange.APPLICATION);

            SyncReport r = f.outbound();

            assertThat(r.count(Outcome.NO_DIFFERENCE)).isEqualTo(1);
            assertThat(f.van.find(vanId).orElseThrow().lastName()).isEqualTo("Diaz");
            assertThat(f.van.calls("POST /people/{vanId}")).isZero();
        }
    }

    @Test
    void aRecordVanRefusesIsReportedWithVansErrorAndTheOthersAreWritten() {
        try (EveryActionFixture f = new EveryActionFixture()) {
            f.signUp("Bad", "Address", "bad@nodot", "+19375550101");
            f.signUp("Ana", "Diaz", ANA, ANA_CELL);

            SyncReport r = f.outbound();

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(r.rows(Outcome.FAILED)).singleElement().satisfies(row -> assertThat(row.message())
                    .contains("INVALID_PARAMETER", "must be a valid email address", "properties: emails[0].email",
                            "HTTP 400")
                    .doesNotContain("bad@nodot"));
        }
    }
}
