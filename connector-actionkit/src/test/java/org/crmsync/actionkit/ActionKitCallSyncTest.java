package org.crmsync.actionkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.crmsync.SyncDirection;
import org.crmsync.activity.Activity;
import org.crmsync.activity.InMemoryActivitySource;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** mConnect call sync: the application's calls posted as actions on ActionKit call pages, each once. */
class ActionKitCallSyncTest {
    private final ActionKitFixture f = new ActionKitFixture();
    private final InMemoryActivitySource calls = new InMemoryActivitySource();
    private String ana;
    private String anaUser;

    @BeforeEach
    void linkAPerson() {
        f.ak.addPage("call_congress", "Call", Map.of("call_mconnect_id", "MC1"));
        f.set(ActionKitConfig.CALL_PAGES, "MC1=call_congress");
        Profile p = f.signUp("Ana", "Diaz", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        assertThat(f.outbound().status()).isEqualTo(RunStatus.COMPLETED);
        ana = p.localId().orElseThrow();
        anaUser = f.profile(ana).constituentId().orElseThrow();
        f.ak.resetCounts();
    }

    @AfterEach
    void close() {
        f.close();
    }

    private SyncReport callSync() {
        return f.engine.run(f.job(SyncDirection.OUTBOUND).id("ak-calls").direction(SyncDirection.ACTIVITIES)
                .activities(calls).activityMapping(new ActionKitConnectorProvider().defaultActivityMapping()).build());
    }

    private Activity call(String key, Map<String, String> fields) {
        return calls.add(Activity.of(key, "call", ana, Instant.parse("2026-03-02T05:30:00Z"), fields));
    }

    @Test
    void aCallIsAnActionOnItsMconnectsCallPageWithItsKeyTargetAndTime() {
        call("call-1", Map.of("mconnect_key", "MC1", "target", "Sen. Example"));

        SyncReport r = callSync();

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(f.ak.actionsOnPage("call_congress")).singleElement().satisfies(a -> assertThat(a)
                .containsEntry("user", anaUser).containsEntry("call_mconnect_id", "MC1")
                .containsEntry("target", "Sen. Example").containsEntry("called_at", "2026-03-02T05:30:00")
                .containsEntry(CallActions.KEY_FIELD, "call-1"));
    }

    @Test
    void theCrmAlertIdNamesThePageByShortNameOrByItsActionKitId() {
        String pageId = f.ak.addPage("call_senate", "Call", Map.of("call_mconnect_id", "MC2"));
        call("by-name", Map.of("mconnect_key", "MC2", "alert_id", "call_senate"));
        call("by-id", Map.of("mconnect_key", "MC2", "alert_id", pageId));

        SyncReport r = callSync();

        assertThat(r.count(Outcome.CREATED)).isEqualTo(2);
        assertThat(f.ak.actionsOnPage("call_senate")).hasSize(2);
    }

    @Test
    void aCallWhosePageDoesNotExistIsReportedWithTheReasonAndPostedOnceThePageIs() {
        call("call-1", Map.of("mconnect_key", "MC3", "alert_id", "call_governor"));

        SyncReport first = callSync();

        assertThat(first.rows(Outcome.FAILED)).singleElement().satisfies(row -> assertThat(row.message())
                .contains("no page named call_governor"));
        f.ak.addPage("call_governor", "Call", Map.of("call_mconnect_id", "MC3"));
        f.later(Duration.ofMinutes(5));
        SyncReport second = callSync();
        assertThat(second.count(Outcome.CREATED)).isEqualTo(1);
    }

    @Test
    void aCallPageWithoutTheMconnectFieldIsReportedWithTheFix() {
        f.ak.addPage("call_mayor", "Call", Map.of());
        call("call-1", Map.of("mconnect_key", "MC4", "alert_id", "call_mayor"));

        SyncReport r = callSync();

        assertThat(r.rows(Outcome.FAILED)).singleElement().satisfies(row -> assertThat(row.message())
                .contains("has no call_mconnect_id custom page field").contains("Custom Page Fields"));
        assertThat(f.ak.actionsOnPage("call_mayor")).isEmpty();
    }

    @Test
    void aCallOfAnotherMconnectThanThePagesIsNotPosted() {
        call("call-1", Map.of("mconnect_key", "MC9", "alert_id", "call_congress"));

        SyncReport r = callSync();

        assertThat(r.rows(Outcome.FAILED)).singleElement().satisfies(row -> assertThat(row.message())
                .contains("linked to another mConnect"));
    }

    @Test
    void aCallWhoseAnswerWasLostIsFoundByItsKeyAndNeverPostedTwice() {
        call("call-1", Map.of("mconnect_key", "MC1"));
        call("call-2", Map.of("mconnect_key", "MC1"));
        f.ak.applyThenDropNext("POST /action/");

        SyncReport lost = callSync();
        f.later(Duration.ofMinutes(5));
        SyncReport again = callSync();

        assertThat(lost.status()).isEqualTo(RunStatus.FAILED);
        assertThat(again.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(again.count(Outcome.NO_DIFFERENCE)).isEqualTo(1); // call-1: already in ActionKit
        assertThat(again.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(f.ak.actionsWith(CallActions.KEY_FIELD, "call-1")).isEqualTo(1);
        assertThat(f.ak.actionsWith(CallActions.KEY_FIELD, "call-2")).isEqualTo(1);
    }

    @Test
    void aBatchOfCallsReadsItsUsersOnceAndPostsOneActionEach() {
        for (int i = 0; i < 20; i++) {
            call("call-" + i, Map.of("mconnect_key", "MC1"));
        }

        SyncReport r = callSync();

        assertThat(r.count(Outcome.CREATED)).isEqualTo(20);
        // Preflight: the user and phone schemas and the configured call page (kept for the run); then the users'
        // akids in one call, and one post per call.
        assertThat(f.ak.requests()).containsExactlyInAnyOrderEntriesOf(Map.of("GET /user/schema/", 1,
                "GET /phone/schema/", 1, "GET /page/", 1, "GET /user/", 1, "POST /action/", 20));
    }

    @Test
    void aCallOfAProfileNotLinkedYetWaits() {
        Profile other = f.signUp("Ben", "Lee", "ben@example.org", "+14155552672", OptInStatus.OPTED_IN);
        calls.add(Activity.of("call-9", "call", other.localId().orElseThrow(), Instant.parse("2026-03-02T05:40:00Z"),
                Map.of("mconnect_key", "MC1")));

        SyncReport r = callSync();

        assertThat(r.count(Reason.NOT_LINKED_YET)).isEqualTo(1);
        assertThat(f.ak.actionsOnPage("call_congress")).isEmpty();
    }

    @Test
    void preflightOfACallSyncReportsAConfiguredPageActionKitLacks() {
        f.set(ActionKitConfig.CALL_PAGES, "MC1=call_congress,MC7=call_nowhere");

        SyncReport r = callSync();

        assertThat(r.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
        assertThat(r.preflightProblems()).singleElement().satisfies(p -> assertThat(p).contains("call.pages")
                .contains("no page named call_nowhere"));
        assertThat(List.of(r.count(Outcome.CREATED))).containsExactly(0L);
    }
}
