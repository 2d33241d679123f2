package org.crmsync.actionkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The API calls of a thousand records each way, exact, counted by the simulator by kind of call; each
 * run on a new connector, so its preflight is included. The README's figures are these.
 */
class ActionKitCallCountsTest {
    private final ActionKitFixture f = new ActionKitFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private List<Profile> signUps(int n) {
        List<Profile> people = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            people.add(f.signUp("F" + i, "L" + i, "p" + i + "@example.org", String.format("+1415%03d%04d", 200 + i / 1000,
                    i % 1000 + 1000), OptInStatus.OPTED_IN));
        }
        return people;
    }

    /**
     * An Import page, and one request in flight: batches in flight together would wait for their uploads on
     * one test clock at once, and how often each reads its progress would depend on their interleaving.
     */
    private void uploads() {
        f.ak.addPage("mobile_commons_import", "Import", Map.of());
        f.set(ActionKitConfig.UPLOAD_PAGE, "mobile_commons_import");
        f.set(ActionKitConfig.REQUESTS_IN_FLIGHT, "1");
    }

    private SyncReport measured(java.util.function.Supplier<SyncReport> run) {
        f.reconnect();
        f.ak.resetCounts();
        SyncReport r = run.get();
        assertThat(r.status()).as(r.summary()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.apiCallsUsed()).as("every request was counted").isEqualTo(f.ak.totalRequests());
        return r;
    }

    @Test
    void aThousandNewOptInsThroughTheUploadApiTake1070Calls() {
        uploads();
        signUps(1000);

        SyncReport r = measured(f::outbound);

        assertThat(r.count(Outcome.CREATED)).isEqualTo(1000);
        // Preflight 4; two batches of 500: a look-up of 10 email and 10 phone calls each, one upload and two
        // reads of its progress each, the new users read back by email (10 a batch); then one phone each.
        assertThat(f.ak.requests()).containsExactlyInAnyOrderEntriesOf(Map.of("GET /user/schema/", 1,
                "GET /phone/schema/", 1, "GET /alloweduserfield/", 1, "GET /page/", 1, "GET /user/", 40,
                "GET /phone/", 20, "POST /upload/", 2, "GET /upload/{id}/", 4, "POST /phone/", 1000));
        assertThat(r.apiCallsUsed()).isEqualTo(1070);
    }

    @Test
    void aThousandNewOptInsThroughTheRestResourcesTake2043Calls() {
        signUps(1000);

        SyncReport r = measured(f::outbound);

        assertThat(r.count(Outcome.CREATED)).isEqualTo(1000);
        assertThat(f.ak.requests()).containsExactlyInAnyOrderEntriesOf(Map.of("GET /user/schema/", 1,
                "GET /phone/schema/", 1, "GET /alloweduserfield/", 1, "GET /user/", 20, "GET /phone/", 20,
                "POST /user/", 1000, "POST /phone/", 1000));
        assertThat(r.apiCallsUsed()).isEqualTo(2043);
    }

    @Test
    void aThousandOptOutsOfLinkedUsersThroughTheUploadApiTake10Calls() {
        uploads();
        List<Profile> people = signUps(1000);
        assertThat(f.outbound().count(Outcome.CREATED)).isEqualTo(1000);
        f.later(Duration.ofMinutes(5));
        people.forEach(p -> f.appUpdate(f.profile(p.localId().orElseThrow()).toBuilder()
                .optInStatus(OptInStatus.OPTED_OUT).build()));

        SyncReport r = measured(f::outbound);

        assertThat(r.count(Outcome.UPDATED)).isEqualTo(1000);
        // Preflight 4; linked users need no look-up; two uploads of user_id and the subscriber field, two reads
        // of progress each.
        assertThat(f.ak.requests()).containsExactlyInAnyOrderEntriesOf(Map.of("GET /user/schema/", 1,
                "GET /phone/schema/", 1, "GET /alloweduserfield/", 1, "GET /page/", 1, "POST /upload/", 2,
                "GET /upload/{id}/", 4));
        assertThat(r.apiCallsUsed()).isEqualTo(10);
    }

    @Test
    void aThousandOptOutsOfLinkedUsersThroughTheRestResourcesTake1003Calls() {
        List<Profile> people = signUps(1000);
        f.outbound();
        f.later(Duration.ofMinutes(5));
        people.forEach(p -> f.appUpdate(f.profile(p.localId().orElseThrow()).toBuilder()
                .optInStatus(OptInStatus.OPTED_OUT).build()));

        SyncReport r = measured(f::outbound);

        assertThat(r.count(Outcome.UPDATED)).isEqualTo(1000);
        assertThat(f.ak.requests()).containsExactlyInAnyOrderEntriesOf(Map.of("GET /user/schema/", 1,
                "GET /phone/schema/", 1, "GET /alloweduserfield/", 1, "PATCH /user/{id}/", 1000));
    }

    @Test
    void readingAThousandChangedUsersInboundTakes25Calls() {
        for (int i = 0; i < 1000; i++) {
            f.later(Duration.ofSeconds(1));
            f.ak.addUser(ActionKitFixture.user("F" + i, "L" + i, "p" + i + "@example.org", String.format("+1415%03d%04d",
                    700 + i / 1000, i % 1000 + 1000), true));
        }

        SyncReport r = measured(f::inbound);

        assertThat(r.count(Outcome.CREATED)).isEqualTo(1000);
        // Preflight 3; eleven pages of users, each page's phones in one call: each page is asked for from the
        // last user read (updated_at__gte), so it starts with that user again, and holds 99 new ones.
        assertThat(f.ak.requests()).containsExactlyInAnyOrderEntriesOf(Map.of("GET /user/schema/", 1,
                "GET /phone/schema/", 1, "GET /alloweduserfield/", 1, "GET /user/", 11, "GET /phone/", 11));
        assertThat(r.apiCallsUsed()).isEqualTo(25);
    }

    @Test
    void aThousandUsersOfOneSecondAreReadInElevenPagesByTheirIds() {
        for (int i = 0; i < 1000; i++) {
            f.ak.addUser(ActionKitFixture.user("F" + i, "L" + i, "p" + i + "@example.org", String.format("+1415%03d%04d",
                    800 + i / 1000, i % 1000 + 1000), true));
        }

        SyncReport r = measured(f::inbound);

        assertThat(r.count(Outcome.CREATED)).isEqualTo(1000);
        // The first page by updated_at__gte, nine more of the same second by id__gt, and updated_at__gt, empty.
        assertThat(f.ak.requests("GET /user/")).isEqualTo(11);
        assertThat(f.ak.requests("GET /phone/")).isEqualTo(10);
    }
}
