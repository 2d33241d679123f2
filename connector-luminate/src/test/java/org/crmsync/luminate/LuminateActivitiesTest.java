package org.crmsync.luminate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crmsync.SyncDirection;
import org.crmsync.activity.Activity;
import org.crmsync.activity.InMemoryActivitySource;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gifts made on the platform recorded with addOfflineDonation, calls with takeAction, each once; no card data. */
class LuminateActivitiesTest {
    private final LuminateFixture f = new LuminateFixture();
    private final InMemoryActivitySource activities = new InMemoryActivitySource();
    private String ana;
    private String anaConsId;

    @BeforeEach
    void linkAPerson() {
        Profile p = f.signUp("Ana", "Diaz", "ana@example.org", LuminateFixture.cell(1));
        assertThat(f.outbound().status()).isEqualTo(RunStatus.COMPLETED);
        ana = p.localId().orElseThrow();
        anaConsId = f.store.findByLocalId(ana).orElseThrow().constituentId().orElseThrow();
        f.site.resetCounts();
    }

    @AfterEach
    void close() {
        f.close();
    }

    private SyncReport activitySync() {
        return f.engine.run(f.job(SyncDirection.OUTBOUND).id("lum-activities").direction(SyncDirection.ACTIVITIES)
                .activities(activities).activityMapping(new LuminateConnectorProvider().defaultActivityMapping())
                .build());
    }

    private static Map<String, String> gift() {
        Map<String, String> g = new LinkedHashMap<>();
        g.put("form_id", "2561");
        g.put("level_id", "4003");
        g.put("amount", "25.00");
        g.put("donor_email", "ana@example.org");
        g.put("first_name", "Ana");
        g.put("last_name", "Diaz");
        g.put("billing_street_1", "12 Elm St");
        g.put("billing_city", "Dayton");
        g.put("billing_state", "OH");
        g.put("billing_postal_code", "45402");
        return g;
    }

    @Test
    void aGiftIsRecordedAsAnOfflineDonationOfItsConstituentWithItsOneBillingAddress() {
        activities.add(Activity.of("gift-1", "donation", ana, Instant.parse("2026-05-31T18:00:00Z"), gift()));

        SyncReport r = activitySync();

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(f.site.gifts()).singleElement().satisfies(g -> assertThat(g)
                .containsEntry("method", "addOfflineDonation").containsEntry("donor.cons_id", anaConsId)
                .containsEntry("form_id", "2561").containsEntry("level_id", "4003")
                .containsEntry("additional_amount", "25.00").containsEntry("donor.email", "ana@example.org")
                .containsEntry("billing.name.first", "Ana").containsEntry("billing.address.street1", "12 Elm St")
                .containsEntry("billing.address.zip", "45402").containsEntry("offline_payment_method", "credit")
                .doesNotContainKeys("card_number", "card_cvv", "card_exp_date"));

        SyncReport again = activitySync();
        assertThat(again.rows()).isEmpty();
        assertThat(f.site.gifts()).hasSize(1);
    }

    @Test
    void aGiftCarryingCardDataIsRefusedAndNothingIsSent() {
        Map<String, String> g = gift();
        g.put("card_number", "4111111111111111");
        activities.add(Activity.of("gift-2", "donation", ana, Instant.parse("2026-05-31T18:00:00Z"), g));

        SyncReport r = f.engine.run(f.job(SyncDirection.OUTBOUND).id("lum-activities")
                .direction(SyncDirection.ACTIVITIES).activities(activities).activityMapping(
                        new LuminateConnectorProvider().defaultActivityMapping().toBuilder()
                                .map("donation", "card_number", "card_number").build()).build());

        assertThat(r.count(Outcome.FAILED)).isEqualTo(1);
        assertThat(r.rows(Outcome.FAILED).get(0).message()).contains("no card or bank data");
        assertThat(f.site.gifts()).isEmpty();
        assertThat(r.toJson()).doesNotContain("4111111111111111");
    }

    @Test
    void aCallIsAnActionOnItsCallAlertWithTheRecipientAndTimeInItsNote() {
        activities.add(Activity.of("call-1", "call", ana, Instant.parse("2026-05-31T19:05:00Z"),
                Map.of("alert_id", "41", "recipient_id", "S000148")));

        SyncReport r = activitySync();

        assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(f.site.actions()).singleElement().satisfies(a -> assertThat(a)
                .containsEntry("alert_id", "41").containsEntry("alert_type", "call").containsEntry("cons_id", anaConsId)
                .containsEntry("called", "true")
                .containsEntry("note", "call call-1; recipient S000148; called at 2026-05-31T19:05:00Z"));
    }

    @Test
    void aGiftWhoseAnswerWasLostIsNotPostedAgain() {
        activities.add(Activity.of("gift-3", "donation", ana, Instant.parse("2026-05-31T18:00:00Z"), gift()));
        f.site.applyThenDropNext("SRDonationAPI addOfflineDonation");

        activitySync();
        SyncReport rerun = activitySync();

        assertThat(f.site.gifts()).as("recorded by the first attempt, never again").hasSize(1);
        assertThat(rerun.status()).isEqualTo(RunStatus.COMPLETED);
    }
}
