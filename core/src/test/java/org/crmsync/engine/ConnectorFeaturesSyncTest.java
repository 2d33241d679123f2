package org.crmsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crmsync.engine.EngineFixture.crmPerson;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.crmsync.SyncDirection;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.testing.FakeConnector;
import org.junit.jupiter.api.Test;

/** What the engine does with each part of the connector SPI beyond reads, look-ups and writes. */
class ConnectorFeaturesSyncTest {
    private final EngineFixture f = new EngineFixture();

    private static String id(Profile p) {
        return p.localId().orElseThrow();
    }

    @Test
    void aCrmThatMatchesOnCreateGetsNoLookUpAndItsMatchIsLinked() {
        f.crm.matchesOnCreate();
        f.crm.put("X1", crmPerson("Ana", "Doe", "ana@example.org", "", "US", "false"));
        Profile ana = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        Profile bo = f.signUp("Bo", "bo@example.org", "+14155552672", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(f.crm.lookupCalls()).isZero();
        assertThat(f.crm.writeCalls()).isEqualTo(1);
        assertThat(report.row(id(ana)).orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(report.row(id(ana)).orElseThrow().message()).contains("matched an existing record");
        assertThat(f.profile(id(ana)).constituentId()).hasValue("X1");
        assertThat(report.row(id(bo)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.crm.size()).isEqualTo(2);
    }

    @Test
    void aMatchOnCreateOfARecordLinkedToAnotherProfileIsReportedAndNotLinked() {
        f.crm.matchesOnCreate();
        f.crm.put("X1", crmPerson("Ana", "Doe", "ana@example.org", "", "US", "true"));
        Profile first = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.appUpdate(f.profile(id(first)).toBuilder().constituentId("X1").build());
        f.outbound();
        Profile second = f.signUp("Ann", "ana@example.org", "+14155552673", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.row(id(second)).orElseThrow().reason()).isEqualTo(Reason.LINKED_TO_OTHER_RECORD);
        assertThat(f.profile(id(second)).constituentId()).isEmpty();
        assertThat(f.profile(id(first)).constituentId()).hasValue("X1");
    }

    @Test
    void whenTheQuotaRunsOutMidBatchWhatTheCrmTookKeepsItsOutcomeAndOnlyTheRestIsDeferred() {
        Profile linked = f.signUp("Li", "li@example.org", "+14155552670", OptInStatus.OPTED_IN);
        f.outbound();
        f.nextDay();
        f.appUpdate(f.profile(id(linked)).toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());
        Profile fresh = f.signUp("New", "new@example.org", "+14155552671", OptInStatus.OPTED_IN);
        // preflight, one look-up, the creates call; the updates call finds the quota used up.
        f.policy = f.policy.toBuilder().dailyApiQuota(3).build();

        SyncReport first = f.outbound();

        assertThat(first.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(first.row(id(fresh)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(first.row(id(linked)).orElseThrow().reason()).isEqualTo(Reason.QUOTA_REACHED);
        assertThat(f.profile(id(fresh)).constituentId()).isPresent();

        f.nextDay();
        SyncReport next = f.outbound();

        assertThat(next.row(id(linked)).orElseThrow().message()).isEqualTo("opted out in the CRM");
        // The cursor stayed before the deferred opt-out, so the new opt-in is read again: no second record.
        assertThat(next.row(id(fresh)).orElseThrow().outcome()).isEqualTo(Outcome.NO_DIFFERENCE);
        assertThat(f.crm.size()).isEqualTo(2);
    }

    @Test
    void aChangeFeedPreparedAsAJobEndsTheRunWaitingAndTheNextRunPicksUpTheSameJob() {
        f.crm.changesAsExportJob(1);
        f.crm.put("A1", crmPerson("Ana", "Doe", "ana@example.org", "4155552671", "US", "true"));

        SyncReport started = f.inbound();

        assertThat(started.status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);
        assertThat(started.message()).contains("J1");
        assertThat(started.retryAfter()).hasValue(f.clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(f.state.cursor("fake-in", SyncDirection.INBOUND)).hasValue(SyncCursor.of("job", "J1"));
        assertThat(started.rows()).isEmpty();

        f.clock.advance(Duration.ofMinutes(5));
        SyncReport stillRunning = f.inbound();
        assertThat(stillRunning.status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);

        f.clock.advance(Duration.ofMinutes(5));
        SyncReport done = f.inbound();

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(f.crm.exportJobsStarted()).isEqualTo(1);
    }

    @Test
    void anEmptyPassMovesTheCursorToWhereTheStreamSaysItEnded() {
        f.crm.stampPassEnds();

        SyncReport report = f.inbound();

        assertThat(report.recordsRead()).isZero();
        assertThat(report.cursorAfter()).isEqualTo(SyncCursor.of("seq", "0", "passEnded",
                f.clock.instant().toString()));
        assertThat(f.state.cursor("fake-in", SyncDirection.INBOUND)).hasValue(report.cursorAfter());
    }

    @Test
    void aRecordThatCannotBeReadIsKeptAndReadAgainFromTheCrmOnTheNextRun() {
        f.crm.readsById().unreadable("A2");
        f.crm.put("A1", crmPerson("Ana", "Doe", "ana@example.org", "4155552671", "US", "true"));
        f.crm.put("A2", crmPerson("Bo", "Doe", "bo@example.org", "4155552672", "US", "true"));

        SyncReport first = f.inbound();

        assertThat(first.row("A2").orElseThrow().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(first.row("A2").orElseThrow().message()).contains("read again on the next run");
        assertThat(f.state.pending("fake-in", SyncDirection.INBOUND)).extracting(p -> p.key()).containsExactly("A2");
        assertThat(first.cursorAfter()).isEqualTo(SyncCursor.of("seq", "2"));

        f.crm.readable("A2");
        SyncReport second = f.inbound();

        assertThat(second.row("A2").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.crm.readByIdCalls()).isEqualTo(1);
        assertThat(f.state.pending("fake-in", SyncDirection.INBOUND)).isEmpty();
    }

    @Test
    void anInboundRetryAppliesTheCrmsCurrentDataNotTheFieldsKeptWhenItFailed() {
        f.crm.readsById();
        f.crm.put("A1", crmPerson("Fails", "Doe", "ana@example.org", "4155552671", "US", "true"));
        f.store.failCreate = p -> p.firstName().orElse("").equals("Fails");
        f.inbound();
        f.store.failCreate = p -> false;
        f.crm.put("A1", Map.of("profile_first_name", "Ana", "opt_in_status", "false"));

        SyncReport retry = f.inbound();

        assertThat(retry.row("A1").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        Profile ana = f.byPhone("+14155552671").orElseThrow();
        assertThat(ana.firstName()).hasValue("Ana");
        assertThat(ana.optInStatus()).isEqualTo(OptInStatus.OPTED_OUT);
    }

    @Test
    void aKeptRecordTheCrmNoLongerHasIsDroppedWithItsReason() {
        f.crm.readsById();
        f.crm.put("A1", crmPerson("Fails", "Doe", "ana@example.org", "4155552671", "US", "true"));
        f.store.failCreate = p -> true;
        f.inbound();
        f.store.failCreate = p -> false;
        f.crm.delete("A1");

        SyncReport retry = f.inbound();

        assertThat(retry.row("A1").orElseThrow().reason()).isEqualTo(Reason.NOT_IN_CRM);
        assertThat(f.state.pending("fake-in", SyncDirection.INBOUND)).isEmpty();
    }

    @Test
    void oneConnectorServesTwoJobsOnTwoThreadsEachCountingItsOwnCalls() throws Exception {
        f.crm.put("A1", crmPerson("Ana", "Doe", "ana@example.org", "4155552671", "US", "true"));
        Profile bo = f.signUp("Bo", "bo@example.org", "+14155552672", OptInStatus.OPTED_IN);
        CountDownLatch bothInside = new CountDownLatch(2);
        SyncListener meetInTheMiddle = new SyncListener() {
            @Override
            public void onRecord(org.crmsync.report.RecordResult result) {
                bothInside.countDown();
                try {
                    bothInside.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        SyncJob in = f.job(SyncDirection.INBOUND).listener(meetInTheMiddle).build();
        SyncJob out = f.job(SyncDirection.OUTBOUND).listener(meetInTheMiddle).build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<SyncReport> inbound = pool.submit(() -> f.engine.run(in));
            Future<SyncReport> outbound = pool.submit(() -> f.engine.run(out));

            SyncReport inReport = inbound.get(20, TimeUnit.SECONDS);
            SyncReport outReport = outbound.get(20, TimeUnit.SECONDS);

            assertThat(bothInside.getCount()).isZero();
            assertThat(inReport.row("A1").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
            assertThat(outReport.row(id(bo)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
            // preflight + one page; preflight + one look-up + one write
            assertThat(inReport.apiCallsUsed()).isEqualTo(2);
            assertThat(outReport.apiCallsUsed()).isEqualTo(3);
            assertThat(f.crm.sessionsOpened()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPassingPreflightIsTrustedForAnHourAndRunsAgainAfterAFailureOrAChange() {
        f.outbound();
        f.clock.advance(Duration.ofMinutes(5));
        assertThat(f.outbound().apiCallsUsed()).as("within the hour").isZero();

        f.clock.advance(Duration.ofHours(1));
        assertThat(f.outbound().apiCallsUsed()).as("an hour later").isEqualTo(1);

        f.policy = f.policy.toBuilder().sourceCode("another-source").build();
        assertThat(f.outbound().apiCallsUsed()).as("another policy").isEqualTo(1);

        f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.crm.failWriteCalls(1);
        assertThat(f.outbound().status()).isEqualTo(RunStatus.FAILED);
        assertThat(f.outbound().apiCallsUsed()).as("after a failed run: preflight, look-up, write").isEqualTo(3);

        f.clock.advance(Duration.ofHours(2));
        f.crm.preflightProblem("credentials", "the API key was revoked");
        assertThat(f.outbound().status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
        f.crm.clearPreflightProblems();
        assertThat(f.outbound().apiCallsUsed()).as("after a failed preflight").isEqualTo(1);
    }

    @Test
    void twoAccountsOfOneCrmNeverShareAQuotaWhenTheJobsNameNoConnection() {
        FakeConnector acme = new FakeConnector().accountKey("acme.example/sync");
        FakeConnector globex = new FakeConnector().accountKey("globex.example/sync");
        InMemorySyncStateStore state = new InMemorySyncStateStore();
        SyncJob.Builder base = SyncJob.builder("in").profiles(new InMemoryProfileStore()).state(state)
                .mapping(f.mapping).policy(f.policy.toBuilder().dailyApiQuota(1).build())
                .direction(SyncDirection.INBOUND);

        SyncJob acmeJob = base.connector(acme).build();
        SyncJob globexJob = base.id("in-2").connector(globex).build();

        assertThat(acmeJob.connectionId()).startsWith("fake-").isNotEqualTo(globexJob.connectionId())
                .doesNotContain("acme");
        assertThat(f.engine.run(acmeJob).status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(state.apiCallsUsed(acmeJob.connectionId(), java.time.LocalDate.parse("2026-03-02"))).isEqualTo(1);
        assertThat(f.engine.run(globexJob).apiCallsUsed()).isEqualTo(1);
    }

    @Test
    void newSubscribersJoinTheOptInPathOfTheFirstRuleTheirCrmGroupMatches() {
        f.policy = f.policy.toBuilder()
                .optInPathRule("groups", List.of("Volunteers"), "volunteer-path")
                .optInPathRule("groups", List.of("Donors", "Major donors"), "donor-path").build();
        Map<String, String> volunteer = crmPerson("Vi", "Doe", "vi@example.org", "4155552671", "US", "true");
        volunteer.put("groups", "Newsletter; volunteers");
        Map<String, String> donor = crmPerson("Do", "Doe", "do@example.org", "4155552672", "US", "true");
        donor.put("groups", "Major Donors");
        f.crm.put("A1", volunteer);
        f.crm.put("A2", donor);
        f.crm.put("A3", crmPerson("No", "Doe", "no@example.org", "4155552673", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().message()).isEqualTo("new subscriber on opt-in path volunteer-path");
        assertThat(report.row("A2").orElseThrow().message()).isEqualTo("new subscriber on opt-in path donor-path");
        assertThat(report.row("A3").orElseThrow().message()).isEqualTo("new subscriber on opt-in path web-path-1");
        assertThat(f.store.optInPaths).containsValues("volunteer-path", "donor-path", "web-path-1");
        assertThat(Optional.ofNullable(f.store.optInPaths.get(f.byPhone("+14155552671").orElseThrow().localId()
                .orElseThrow()))).hasValue("volunteer-path");
    }
}
