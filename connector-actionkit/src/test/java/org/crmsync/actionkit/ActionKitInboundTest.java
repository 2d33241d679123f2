package org.crmsync.actionkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The nightly sync: ActionKit users changed since the cursor, with their phones, into the application. */
class ActionKitInboundTest {
    private final ActionKitFixture f = new ActionKitFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aUserWithAUsMobileBecomesAProfileLinkedByItsId() {
        String id = f.ak.addUser(ActionKitFixture.user("Ana", "Diaz", "ana@example.org", "(415) 555-2671", true));

        SyncReport r = f.inbound();

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
        Profile p = f.profiles().get(0);
        assertThat(p.constituentId()).contains(id);
        assertThat(p.phoneNumber()).contains("+14155552671");
        assertThat(p.email()).contains("ana@example.org");
        assertThat(p.optInStatus()).isEqualTo(OptInStatus.OPTED_IN);
        assertThat(p.country()).contains("United States");
    }

    @Test
    void usersWithoutAMobileOrOutsideTheUsAreSkippedWithTheirReasons() {
        f.ak.addUser(ActionKitFixture.user("No", "Phone", "nophone@example.org", null, true));
        String home = f.ak.addUser(ActionKitFixture.user("Home", "Only", "home@example.org", null, true));
        f.ak.addPhone(home, "home", "(415) 555-2672", "website");
        Map<String, String> canadian = new java.util.LinkedHashMap<>(ActionKitFixture.user("Can", "Ada",
                "ca@example.org", "+1 416 555 0199", true));
        canadian.put("country", "Canada");
        f.ak.addUser(canadian);

        SyncReport r = f.inbound();

        assertThat(r.count(Outcome.CREATED)).isZero();
        assertThat(r.count(Reason.NO_MOBILE_NUMBER)).isEqualTo(2);
        assertThat(r.count(Reason.COUNTRY_NOT_ALLOWED)).isEqualTo(1);
    }

    @Test
    void conservativeSyncTakesOnlyUsersWhoseSubscriberFieldIsTrue() {
        f.policy = f.policy.toBuilder().mode(SyncMode.CONSERVATIVE).build();
        f.ak.addUser(ActionKitFixture.user("Yes", "One", "yes@example.org", "(415) 555-2673", true));
        f.ak.addUser(ActionKitFixture.user("No", "One", "no@example.org", "(415) 555-2674", false));

        SyncReport r = f.inbound();

        assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(r.count(Reason.NOT_OPTED_IN)).isEqualTo(1);
    }

    @Test
    void aSecondRunReadsOnlyUsersChangedSinceAndMovesTheCursor() {
        String ana = f.ak.addUser(ActionKitFixture.user("Ana", "Diaz", "ana@example.org", "(415) 555-2671", true));
        f.ak.addUser(ActionKitFixture.user("Ben", "Lee", "ben@example.org", "(415) 555-2675", true));
        f.inbound();
        f.later(Duration.ofHours(1));
        f.ak.updateUser(ana, Map.of("first_name", "Anna"));
        f.ak.resetCounts();

        SyncReport r = f.inbound();

        assertThat(r.recordsRead()).isEqualTo(1);
        assertThat(r.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(f.store.findByConstituentId(ana).get(0).firstName()).contains("Anna");
    }

    @Test
    void twoHundredFiftyUsersStampedInOneSecondAreAllReadAcrossPages() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add(f.ak.addUser(ActionKitFixture.user("F" + i, "L" + i, "p" + i + "@example.org",
                    String.format("+1415%03d%04d", 200 + i / 100, i), true)));
        }

        SyncReport r = f.inbound();

        assertThat(r.count(Outcome.CREATED)).isEqualTo(250);
        // Page 1 by updated_at__gte, then the rest of the second by updated_at=T&id__gt=N: 100, 100, 50.
        assertThat(f.ak.requests("GET /user/")).isEqualTo(4);
    }

    @Test
    void aRunCutByTheQuotaResumesAfterItsLastUserAndReadsAUserChangedMeanwhile() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            f.later(Duration.ofSeconds(1));
            ids.add(f.ak.addUser(ActionKitFixture.user("F" + i, "L" + i, "p" + i + "@example.org",
                    String.format("+1415%03d%04d", 300, i), true)));
        }
        // The first page is read; then a user of it changes, which with offsets would shift every later user up.
        f.policy = f.policy.toBuilder().dailyApiQuota(5).build();
        f.inbound();
        f.ak.updateUser(ids.get(3), Map.of("first_name", "Changed"));
        f.policy = f.policy.toBuilder().noDailyApiQuota().build();
        f.later(Duration.ofDays(1));

        f.inbound();

        assertThat(f.profiles()).hasSize(150);
        assertThat(f.store.findByConstituentId(ids.get(3)).get(0).firstName()).contains("Changed");
    }

    @Test
    void phonesAreReadForAPageOfUsersInOneCall() {
        for (int i = 0; i < 60; i++) {
            f.ak.addUser(ActionKitFixture.user("F" + i, "L" + i, "p" + i + "@example.org",
                    String.format("+1415%03d%04d", 400, i), true));
        }

        f.inbound();

        assertThat(f.ak.requests("GET /phone/")).isEqualTo(1);
    }

    @Test
    void withoutAUserListFilterOnPhonesEachUsersPhonesAreOneCall() {
        f.ak.restrictPhoneFilters(Map.of("user", Set.of("exact")));
        for (int i = 0; i < 5; i++) {
            f.ak.addUser(ActionKitFixture.user("F" + i, "L" + i, "p" + i + "@example.org",
                    String.format("+1415%03d%04d", 500, i), true));
        }
        f.ak.addUser(ActionKitFixture.user("No", "Phones", "none@example.org", null, true));

        SyncReport r = f.inbound();

        assertThat(r.count(Outcome.CREATED)).isEqualTo(5);
        assertThat(f.ak.requests("GET /phone/")).isEqualTo(5); // the user without phones costs nothing
    }
}
