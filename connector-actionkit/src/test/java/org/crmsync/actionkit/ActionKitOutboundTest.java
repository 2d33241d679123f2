package org.crmsync.actionkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.crmsync.SyncDirection;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The five-minute sync: new opt-ins and opt-outs of the application into ActionKit, record by record. */
class ActionKitOutboundTest {
    private final ActionKitFixture f = new ActionKitFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aNewOptInBecomesAUserWithTheSubscriberFieldItsMobilePhoneAndTheSourceCode() {
        Profile p = f.signUp("Ana", "Diaz", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport r = f.outbound();

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
        String id = f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();
        assertThat(f.ak.value(id, "email")).contains("ana@example.org");
        assertThat(f.ak.value(id, "user_mobile_subscriber")).contains("true");
        assertThat(f.ak.value(id, "source")).contains("Mobile Commons");
        assertThat(f.ak.value(id, "country")).isEmpty(); // the profile has none; ActionKit's default applies
        assertThat(f.ak.phonesOf(id)).containsExactly("mobile/Mobile Commons/+14155552671");
        assertThat(f.ak.requests("POST /user/")).isEqualTo(1);
        assertThat(f.ak.requests("POST /phone/")).isEqualTo(1);
    }

    @Test
    void aUsProfileIsWrittenWithActionKitsCountryName() {
        Profile p = f.store.create(Profile.builder().firstName("Ana").lastName("Diaz").email("ana@example.org")
                .phoneNumber("+14155552671").country("US").optInStatus(OptInStatus.OPTED_IN).build(),
                java.util.Optional.empty(), org.crmsync.store.LocalChange.APPLICATION);

        f.outbound();

        String id = f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();
        assertThat(f.ak.value(id, "country")).contains("United States");
    }

    @Test
    void anOptOutOfALinkedUserSetsTheFieldToFalse() {
        Profile p = f.signUp("Ana", "Diaz", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        f.later(Duration.ofMinutes(5));
        Profile linked = f.profile(p.localId().orElseThrow());
        f.appUpdate(linked.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());
        f.ak.resetCounts();

        SyncReport r = f.outbound();

        assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(r.rows(Outcome.UPDATED).get(0).message()).contains("opted out in the CRM");
        assertThat(f.ak.value(linked.constituentId().orElseThrow(), "user_mobile_subscriber")).contains("false");
        assertThat(f.ak.requests()).containsExactlyEntriesOf(Map.of("PATCH /user/{id}/", 1));
    }

    @Test
    void aNewOptInWhoseEmailActionKitKnowsIsLinkedAndOptedInNotDuplicated() {
        String existing = f.ak.addUser(ActionKitFixture.user("Ana", "Diaz", "ana@example.org", "(415) 555-2671", false));
        Profile p = f.signUp("Ana", "Diaz", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport r = f.outbound();

        assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(f.profile(p.localId().orElseThrow()).constituentId()).contains(existing);
        assertThat(f.ak.userIds()).containsExactly(existing);
        assertThat(f.ak.value(existing, "user_mobile_subscriber")).contains("true");
        assertThat(f.ak.requests("POST /user/")).isZero();
    }

    @Test
    void aNewOptInWhoseMobileActionKitKnowsUnderAnotherEmailIsLinkedByThePhone() {
        String existing = f.ak.addUser(ActionKitFixture.user("Ana", "Diaz", "ana.old@example.org", "(415) 555-2671",
                false));
        Profile p = f.signUp("Ana", "Diaz", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport r = f.outbound();

        assertThat(r.count(Outcome.UPDATED)).as(r.summary()).isEqualTo(1);
        assertThat(f.profile(p.localId().orElseThrow()).constituentId()).contains(existing);
        assertThat(f.ak.userIds()).containsExactly(existing);
    }

    @Test
    void aCreateOfAnEmailActionKitHasIsLinkedToThatUserThroughThe409() {
        String existing = f.ak.addUser(ActionKitFixture.user("Ana", "Diaz", "ana@example.org", null, false));
        try (var session = f.connector().open(new DirectContext(f, SyncDirection.OUTBOUND))) {
            List<WriteResult> results = session.write(List.of(RemoteWrite.create("local-1", Map.of("email",
                    "ana@example.org", "first_name", "Ana", "user_mobile_subscriber", "true", "mobile_phone",
                    "+14155552671"), OptInStatus.OPTED_IN)));

            assertThat(results).singleElement().satisfies(w -> {
                assertThat(w.status()).isEqualTo(WriteResult.Status.MATCHED);
                assertThat(w.remoteId()).contains(existing);
                assertThat(w.message()).contains("409");
            });
        }
        assertThat(f.ak.value(existing, "user_mobile_subscriber")).contains("true");
        assertThat(f.ak.phonesOf(existing)).containsExactly("mobile/Mobile Commons/+14155552671");
    }

    @Test
    void aCreateWhoseAnswerWasLostIsSentAgainAndLinksTheUserItMadeWithoutADuplicate() {
        Profile p = f.signUp("Ana", "Diaz", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.ak.applyThenDropNext("POST /user/");

        SyncReport r = f.outbound();

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.ak.userIds()).hasSize(1);
        String id = f.ak.userIds().get(0);
        assertThat(f.profile(p.localId().orElseThrow()).constituentId()).contains(id);
        assertThat(f.ak.phonesOf(id)).containsExactly("mobile/Mobile Commons/+14155552671");
        assertThat(f.ak.requests("POST /user/")).isEqualTo(2); // the retry met the 409
    }

    @Test
    void aChangedMobileUpdatesTheSyncsOwnPhoneAndNeverAddsASecond() {
        Profile p = f.signUp("Ana", "Diaz", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        String id = f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();
        f.ak.addPhone(id, "mobile", "(415) 555-0000", "website");
        for (String number : List.of("+14155552680", "+14155552681")) {
            f.later(Duration.ofMinutes(5));
            f.appUpdate(f.profile(p.localId().orElseThrow()).toBuilder().phoneNumber(number).build());
            f.outbound();
        }

        assertThat(f.ak.phonesOf(id)).containsExactlyInAnyOrder("mobile/Mobile Commons/+14155552681",
                "mobile/website/(415) 555-0000");
    }

    @Test
    void conservativeSyncLinksAKnownUserWithTheOptInOnly() {
        f.policy = f.policy.toBuilder().mode(SyncMode.CONSERVATIVE).build();
        String existing = f.ak.addUser(ActionKitFixture.user("Ann", "Diaz", "ana@example.org", "(415) 555-2671", false));
        f.signUp("Ana", "Diaz", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        f.outbound();

        assertThat(f.ak.value(existing, "first_name")).contains("Ann");
        assertThat(f.ak.value(existing, "user_mobile_subscriber")).contains("true");
        assertThat(f.ak.phonesOf(existing)).as("the number it has is not added again")
                .containsExactly("mobile/website/(415) 555-2671");
    }

    @Test
    void conservativeSyncLinkingAKnownUserWithoutThatMobileAddsTheSubscribersNumberAsItsOwnPhoneOnly() {
        f.policy = f.policy.toBuilder().mode(SyncMode.CONSERVATIVE).build();
        String existing = f.ak.addUser(ActionKitFixture.user("Ann", "Diaz", "ana@example.org", null, false));
        f.ak.addPhone(existing, "home", "(415) 555-0000", "website");
        f.signUp("Ana", "Diaz", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport r = f.outbound();

        assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(f.ak.value(existing, "first_name")).as("conservative: nothing else changed").contains("Ann");
        assertThat(f.ak.value(existing, "user_mobile_subscriber")).contains("true");
        assertThat(f.ak.phonesOf(existing)).containsExactlyInAnyOrder("home/website/(415) 555-0000",
                "mobile/Mobile Commons/+14155552671");
    }

    @Test
    void batchesInFlightTogetherKeepTheRequestsInFlightUnderTheBoundAndMeetNo429() {
        f.set(ActionKitConfig.REQUESTS_IN_FLIGHT, "2");
        f.ak.simultaneousLimit(2).latency(Duration.ofMillis(5)); // answers take a while, so requests overlap
        for (int i = 0; i < 250; i++) {
            f.signUp("F" + i, "L" + i, "p" + i + "@example.org", String.format("+1415%03d%04d", 900, i),
                    OptInStatus.OPTED_IN);
        }

        SyncReport r = f.outbound();

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.count(Outcome.CREATED)).isEqualTo(250);
        assertThat(f.ak.refusedSimultaneous()).as("429 too many simultaneous requests").isZero();
        assertThat(f.ak.mostSimultaneous()).isLessThanOrEqualTo(2);
        assertThat(f.connector().maxCallsInFlight()).isEqualTo(2);
    }

    @Test
    void aNewOptInWithoutAnEmailIsNotAdded() {
        f.store.create(Profile.builder().firstName("No").phoneNumber("+14155552671").optInStatus(OptInStatus.OPTED_IN)
                .build(), java.util.Optional.empty(), org.crmsync.store.LocalChange.APPLICATION);

        SyncReport r = f.outbound();

        assertThat(r.count(Reason.NO_EMAIL)).isEqualTo(1);
        assertThat(f.ak.userIds()).isEmpty();
    }

    @Test
    void aRefusedValueFailsItsRecordAloneWithActionKitsWordsAndNoPersonalData() {
        f.store.create(Profile.builder().firstName("Zip").lastName("Long").email("zip@example.org")
                .phoneNumber("+14155552671").postalCode("941031234567").optInStatus(OptInStatus.OPTED_IN).build(),
                java.util.Optional.empty(), org.crmsync.store.LocalChange.APPLICATION);
        f.signUp("Ana", "Diaz", "ana@example.org", "+14155552672", OptInStatus.OPTED_IN);

        SyncReport r = f.outbound();

        assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(r.rows(Outcome.FAILED)).singleElement().satisfies(row -> assertThat(row.message())
                .contains("zip").contains("at most 5 characters").doesNotContain("zip@example.org"));
    }
}
