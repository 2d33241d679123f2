package org.crmsync.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.crmsync.SyncDirection;
import org.crmsync.activity.InMemoryActivitySource;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.testing.CapturedLog;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's promises, run against a real connector and its CRM's simulator: every connector's
 * tests extend this class with {@link #startCrm}. Round trips reach equal data on both sides, a second
 * run finds nothing to do, people sharing one change timestamp across pages and runs are all read, a
 * crash between the CRM's create and the write-back duplicates nothing, an opt-out is never lost while
 * the CRM is down, the quota stops a run and the next one finishes, a dry run writes nothing, and no
 * secret or personal data reaches a log, an exception or a report. The fault matrix runs every fault
 * against every kind of call the connector makes. A connector that declares more than one call in
 * flight pushes two waves of batches at once and loses, duplicates and miscounts nothing. A connector
 * that posts activities posts each once, also when the answer of an activity call is lost.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConnectorContract {
    /** The simulator for one test, on the test's clock. */
    protected abstract ContractCrm startCrm(MutableClock clock);

    protected MutableClock clock;
    protected RecordingSleeper sleeper;
    protected ContractCrm crm;
    protected Connector connector;
    protected InMemoryProfileStore profiles;
    protected InMemorySyncStateStore state;
    protected SyncEngine engine;
    private long quota = -1;

    @BeforeEach
    void startContract() {
        quota = -1; // one instance serves every test of the class (the fault matrix's source needs it)
        clock = MutableClock.at("2026-06-01T08:00:00Z");
        sleeper = new RecordingSleeper(clock);
        crm = startCrm(clock);
        connector = crm.connector(ConnectorContext.forLocalSimulator(clock, sleeper));
        profiles = new InMemoryProfileStore(clock);
        state = new InMemorySyncStateStore();
        // A passing preflight is trusted for a long time here, so quota tests count the sync's calls.
        engine = new SyncEngine(clock, Duration.ofDays(365));
    }

    @AfterEach
    void stopContract() {
        if (connector != null) {
            connector.close();
        }
        if (crm != null) {
            crm.close();
        }
    }

    // ----- driving the application's side -----

    protected SyncJob.Builder job(SyncDirection direction) {
        SyncJob.Builder b = SyncJob.builder(direction == SyncDirection.INBOUND ? "contract-in" : "contract-out")
                .connectionId("contract").connector(connector).profiles(profiles).state(state)
                .mapping(crm.mapping()).direction(direction);
        var policy = crm.policy();
        if (quota >= 0) {
            policy.dailyApiQuota(quota);
        }
        return b.policy(policy.build());
    }

    protected SyncReport inbound() {
        return engine.run(job(SyncDirection.INBOUND).build());
    }

    protected SyncReport outbound() {
        return engine.run(job(SyncDirection.OUTBOUND).build());
    }

    protected Profile signUp(Person p) {
        return profiles.create(Profile.builder().firstName(p.firstName()).lastName(p.lastName()).email(p.email())
                .phoneNumber(p.phone()).optInStatus(p.optedIn() ? OptInStatus.OPTED_IN : OptInStatus.OPTED_OUT)
                .build(), Optional.empty(), LocalChange.APPLICATION);
    }

    protected void optOutLocally(String email) {
        Profile p = profiles.findByEmail(email).get(0);
        profiles.update(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build(), LocalChange.APPLICATION);
    }

    private static Person person(Profile p) {
        return new Person(p.firstName().orElse(null), p.lastName().orElse(null), p.email().orElse(null),
                p.phoneNumber().orElse(null), p.optInStatus() == OptInStatus.OPTED_IN);
    }

    /** The application's people by email. */
    protected Map<String, Person> localByEmail() {
        Map<String, Person> byEmail = new LinkedHashMap<>();
        try (Stream<Profile> all = profiles.all()) {
            all.forEach(p -> {
                Person person = person(p);
                assertThat(byEmail.put(person.emailKey().orElse("?" + p.localId().orElseThrow()), person))
                        .as("two local profiles with one email").isNull();
            });
        }
        return byEmail;
    }

    /** The CRM's people by email; two records with one email fail the test (a duplicate). */
    protected Map<String, Person> crmByEmail() {
        Map<String, Person> byEmail = new LinkedHashMap<>();
        crm.people().forEach((id, person) -> assertThat(byEmail.put(person.emailKey().orElse("?" + id), person))
                .as("two CRM records with one email: a duplicate").isNull());
        return byEmail;
    }

    /** Every local profile with an email is linked to the CRM record with that email. */
    protected void assertLinked() {
        Map<String, String> crmIdByEmail = new LinkedHashMap<>();
        crm.people().forEach((id, p) -> p.emailKey().ifPresent(e -> crmIdByEmail.put(e, id)));
        try (Stream<Profile> all = profiles.all()) {
            all.forEach(p -> {
                String email = p.email().orElseThrow().toLowerCase(Locale.ROOT);
                assertThat(p.constituentId()).as("the profile of a person in the CRM is linked to the record")
                        .isEqualTo(Optional.ofNullable(crmIdByEmail.get(email)));
            });
        }
    }

    private static long changes(SyncReport r) {
        return r.count(Outcome.CREATED) + r.count(Outcome.UPDATED);
    }

    // ----- the promises -----

    @Test
    void inboundBringsEveryPersonAndASecondRunFindsNothingToDo() {
        crm.add(Person.number(1));
        crm.add(Person.number(2));
        crm.add(Person.number(3).withOptIn(false));

        SyncReport first = inbound();

        assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(first.count(Outcome.CREATED)).isEqualTo(3);
        assertThat(localByEmail()).isEqualTo(crmByEmail());
        assertLinked();

        clock.advance(Duration.ofHours(1));
        SyncReport second = inbound();

        assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(changes(second)).isZero();
        assertThat(localByEmail()).isEqualTo(crmByEmail());
    }

    @Test
    void outboundCreatesEveryNewOptInLinksItAndASecondRunFindsNothingToDo() {
        for (int i = 1; i <= 3; i++) {
            signUp(Person.number(i));
        }

        SyncReport first = outbound();

        assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(first.count(Outcome.CREATED)).isEqualTo(3);
        assertThat(crmByEmail()).isEqualTo(localByEmail());
        assertLinked();

        clock.advance(Duration.ofMinutes(5));
        SyncReport second = outbound();
        SyncReport back = inbound();

        assertThat(changes(second)).isZero();
        assertThat(changes(back)).as("nothing the outbound sync wrote comes back changed").isZero();
        assertThat(crm.people()).hasSize(3);
    }

    @Test
    void optOutsFlowBothWays() {
        String inCrm = crm.add(Person.number(1));
        inbound();
        signUp(Person.number(2));
        outbound();

        clock.advance(Duration.ofMinutes(5));
        crm.update(inCrm, Person.number(1).withOptIn(false));
        optOutLocally(Person.number(2).email());
        inbound();
        outbound();

        assertThat(localByEmail().get(Person.number(1).email()).optedIn()).as("CRM opt-out reached the application")
                .isFalse();
        assertThat(crmByEmail().get(Person.number(2).email()).optedIn()).as("local opt-out reached the CRM").isFalse();
        assertThat(crmByEmail()).isEqualTo(localByEmail());
    }

    @Test
    void peopleSharingOneChangeTimestampAcrossPagesAndRunsAreAllRead() {
        List<Person> people = new ArrayList<>();
        for (int i = 1; i <= 250; i++) {
            people.add(Person.number(i));
        }
        // The smallest daily quota with which a first run reads some of them but not all, found against
        // CRMs of their own: it cuts the pass inside the shared timestamp, whatever the connector's pages.
        long cut = -1;
        for (long q = 1; q <= 50 && cut < 0; q++) {
            long limit = q;
            long read = measure(other -> {
                other.crm.addAtOnce(people);
                other.quota = limit;
                return other.inbound().recordsRead();
            });
            if (read > 0 && read < people.size()) {
                cut = q;
            }
        }
        assertThat(cut).as("some daily quota cuts the pass part way").isPositive();
        crm.addAtOnce(people);
        quota = sharedTimestampQuota(cut);

        List<SyncReport> runs = runDailyUntilDone(SyncDirection.INBOUND);

        assertThat(runs.get(0).status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(runs.get(0).recordsRead()).isBetween(1L, 249L);
        assertThat(localByEmail()).hasSize(250).isEqualTo(crmByEmail());
    }

    @Test
    void aCrashBetweenTheCreateAndTheWriteBackDuplicatesNothing() {
        for (int i = 1; i <= 3; i++) {
            signUp(Person.number(i));
        }
        crm.applyThenDropNext(crm.createKind());

        outbound(); // fails, or completes where the CRM deduplicates the create and it was sent again
        assertThat(crm.faultsPending()).as("the connection was dropped after a create").isZero();
        clock.advance(Duration.ofMinutes(5));
        SyncReport rerun = outbound();

        assertThat(rerun.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(crmByEmail()).hasSize(3).isEqualTo(localByEmail());
        assertLinked();
    }

    // ----- activities, for connectors that post them -----

    /** Three linked people and {@code n} activities of theirs, in the source the returned job reads. */
    private SyncJob.Builder activities(int n) {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                connector.capabilities().contains(org.crmsync.spi.Capability.WRITE_ACTIVITIES),
                "the connector posts no activities");
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            ids.add(signUp(Person.number(i)).localId().orElseThrow());
        }
        assertThat(outbound().status()).isEqualTo(RunStatus.COMPLETED);
        InMemoryActivitySource source = new InMemoryActivitySource();
        for (int i = 0; i < n; i++) {
            source.add(crm.sampleActivity("contract-" + i, ids.get(i % 3)).orElseThrow(() -> new AssertionError(
                    "the connector posts activities, so its ContractCrm gives a sampleActivity")));
        }
        return job(SyncDirection.OUTBOUND).id("contract-activities").direction(SyncDirection.ACTIVITIES)
                .activities(source).activityMapping(ConnectorRegistry.load().provider(crm.providerId())
                        .defaultActivityMapping());
    }

    private void assertEachActivityOnce(int n) {
        for (int i = 0; i < n; i++) {
            assertThat(crm.activitiesWithKey("contract-" + i)).as("activity contract-" + i).isEqualTo(1);
        }
    }

    @Test
    void activitiesArePostedOnceAndASecondRunPostsNothing() {
        SyncJob job = activities(7).build();

        SyncReport first = engine.run(job);
        clock.advance(Duration.ofMinutes(5));
        int requests = crm.requests();
        SyncReport second = engine.run(job);

        assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(first.count(Outcome.CREATED)).isEqualTo(7);
        assertEachActivityOnce(7);
        assertThat(second.rows()).isEmpty();
        assertThat(crm.requests() - requests).as("a second run with nothing new").isLessThanOrEqualTo(1);
    }

    @Test
    void anActivityWhoseAnswerWasLostIsNeverPostedTwice() {
        SyncJob job = activities(5).build();
        crm.applyThenDropNext(crm.activityKind());

        engine.run(job); // fails, or completes where the connector looked for the keys again itself
        assertThat(crm.faultsPending()).as("the connection was dropped after an activity call").isZero();
        clock.advance(Duration.ofMinutes(5));
        SyncReport rerun = engine.run(job);

        assertThat(rerun.status()).isEqualTo(RunStatus.COMPLETED);
        if (connector.capabilities().contains(org.crmsync.spi.Capability.FINDS_ACTIVITIES_BY_KEY)) {
            assertEachActivityOnce(5);
        } else {
            for (int i = 0; i < 5; i++) {
                assertThat(crm.activitiesWithKey("contract-" + i)).isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void anOptOutIsNotLostWhileTheCrmIsDownAndIsSentWhenItComesBack() {
        signUp(Person.number(1));
        outbound();
        optOutLocally(Person.number(1).email());
        crm.down(crm.updateKind());

        SyncReport down = outbound();

        assertThat(down.count(Outcome.UPDATED)).isZero();
        assertThat(crmByEmail().get(Person.number(1).email()).optedIn()).isTrue();

        crm.clearFaults();
        clock.advance(Duration.ofMinutes(5));
        SyncReport back = outbound();

        assertThat(back.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(crmByEmail().get(Person.number(1).email()).optedIn()).isFalse();
    }

    @Test
    void theQuotaStopsARunAndTheNextDaysFinishItWithoutDuplicates() {
        List<Person> people = new ArrayList<>();
        int pushed = quotaPushSize();
        for (int i = 1; i <= pushed; i++) {
            people.add(Person.number(i));
        }
        // What the same push costs against a CRM of its own, without a quota: the quota here is a share of
        // it (60% unless the connector says otherwise), so the first day stops part way and no day is too
        // short for one batch.
        long clean = measure(other -> {
            people.forEach(other::signUp);
            return other.outbound().apiCallsUsed();
        });
        people.forEach(this::signUp);
        quota = Math.max(1, clean * quotaPercent() / 100);

        List<SyncReport> runs = runDailyUntilDone(SyncDirection.OUTBOUND);

        assertThat(runs.get(0).status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(runs.get(0).count(Outcome.CREATED)).as("the first day made progress").isPositive();
        assertThat(runs).allSatisfy(r -> assertThat(r.apiCallsUsed()).isLessThanOrEqualTo(quota));
        assertThat(crmByEmail()).hasSize(pushed).isEqualTo(localByEmail());
        assertLinked();
    }

    /**
     * The daily quota of the shared-timestamp case, given the smallest one that cuts the first run part way:
     * that one itself unless the connector says otherwise. A connector that pays a call for every changed
     * record (a CRM that names changed records and reads each by id) adds a few calls, so the sixty days the
     * case allows are enough for its 250 people; the first run still stops part way.
     */
    protected long sharedTimestampQuota(long smallestCut) {
        return smallestCut;
    }

    /**
     * How many new opt-ins the quota test pushes: enough that a quota of {@link #quotaPercent} of what they
     * cost cuts the push part way and still pays for a whole batch each day. 450 suits batches of a few hundred; a
     * connector with larger batches pushes more (one batch would otherwise be the whole push, and no day
     * could pay for it).
     */
    protected int quotaPushSize() {
        return 450;
    }

    /**
     * The quota test's daily quota, in percent of what the push costs without one. 60 suits a connector
     * whose run costs little before it writes; one whose every run first reads something that grows with
     * the CRM (a whole account to look up in) needs a larger share, or no later day could pay for that
     * read and a batch.
     */
    protected int quotaPercent() {
        return 60;
    }

    @Test
    void batchesInFlightAtOnceLoseNothingDuplicateNothingAndCountEveryRequest() {
        int inFlight = connector.maxCallsInFlight();
        org.junit.jupiter.api.Assumptions.assumeTrue(inFlight > 1,
                "the connector declares one call in flight at a time; the other promises cover it");
        int people = connector.preferredBatchSize() * inFlight + connector.preferredBatchSize() / 2; // two waves
        crm.add(Person.number(7)); // one of them is in the CRM already
        for (int i = 1; i <= people; i++) {
            signUp(Person.number(i));
        }
        int before = crm.requests();

        SyncReport first = outbound();

        assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(first.count(Outcome.CREATED) + first.count(Outcome.UPDATED)).isEqualTo(people);
        assertThat(crmByEmail()).hasSize(people).isEqualTo(localByEmail());
        assertLinked();
        assertThat(first.apiCallsUsed()).as("every request the CRM received was counted against the quota")
                .isEqualTo(crm.requests() - before);

        clock.advance(Duration.ofMinutes(5));
        assertThat(changes(outbound())).isZero();
    }

    @Test
    void aDryRunWritesNothingToEitherSide() {
        crm.add(Person.number(1));
        signUp(Person.number(2));
        Map<String, Person> crmBefore = crmByEmail();
        Map<String, Person> localBefore = localByEmail();

        SyncReport in = engine.run(job(SyncDirection.INBOUND).dryRun(true).build());
        SyncReport out = engine.run(job(SyncDirection.OUTBOUND).dryRun(true).build());

        assertThat(in.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(out.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(crmByEmail()).isEqualTo(crmBefore);
        assertThat(localByEmail()).isEqualTo(localBefore);
        assertThat(state.cursor("contract-in", SyncDirection.INBOUND)).isEmpty();
        assertThat(state.cursor("contract-out", SyncDirection.OUTBOUND)).isEmpty();
    }

    @Test
    void noSecretAndNoPersonalDataReachesTheLogAndNoSecretReachesAReport() {
        List<Person> people = List.of(Person.number(1), Person.number(2), Person.number(3));
        crm.add(people.get(0));
        signUp(people.get(1));
        signUp(people.get(2));
        List<SyncReport> reports = new ArrayList<>();
        CapturedLog log = CapturedLog.during(() -> {
            reports.add(inbound());
            for (String kind : crm.callKinds()) {
                crm.failNext(kind, CallFault.SERVER_ERROR_500);
            }
            reports.add(outbound());
            crm.clearFaults();
            crm.failNext(crm.createKind(), CallFault.HTML_ERROR_PAGE);
            reports.add(outbound());
            return null;
        });

        StringBuilder said = new StringBuilder(log.text());
        reports.forEach(r -> said.append(r.toJson()).append(r.summary()));
        for (String secret : crm.secrets()) {
            if (secret != null && secret.length() >= 6) {
                assertThat(said.toString()).as("a secret in the log or a report").doesNotContain(secret);
            }
        }
        for (Person p : people) {
            assertThat(log.text()).as("personal data in the log").doesNotContain(p.email())
                    .doesNotContain(p.phone()).doesNotContain(p.phone().substring(2));
        }
    }

    // ----- the fault matrix -----

    /** Every kind of call the connector makes, with every fault that applies to its CRM. */
    Stream<Arguments> faultMatrix() {
        try (ContractCrm listing = startCrm(MutableClock.at("2026-06-01T08:00:00Z"))) {
            List<Arguments> cases = new ArrayList<>();
            for (String kind : listing.callKinds()) {
                for (CallFault fault : listing.faults()) {
                    cases.add(Arguments.of(kind, fault));
                }
            }
            return cases.stream();
        }
    }

    /**
     * With {@code fault} on the next call of {@code kind}, each run completes after retrying or ends with
     * a clear error naming what failed; after the fault clears, the next runs reach the same final state
     * as a clean run: every person on both sides once, opt-outs applied, nothing duplicated or lost.
     */
    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("faultMatrix")
    void aFaultOnAnyCallEndsClearlyAndTheRerunReachesTheCleanState(String kind, CallFault fault) {
        String renamed = crm.add(Person.number(1));
        crm.add(Person.number(2));
        inbound();
        signUp(Person.number(3));
        outbound();
        // What the runs under the fault carry: new opt-ins (enough for a batch write), an opt-out and a
        // changed field of linked people, a CRM-side edit, and a mass change of more than a page.
        List<Person> signUps = new ArrayList<>();
        for (int i = 300; i < 312; i++) {
            signUps.add(Person.number(i));
        }
        signUp(Person.number(4)); // one new opt-in among the few changes
        optOutLocally(Person.number(2).email());
        Profile moved = profiles.findByEmail(Person.number(3).email()).get(0);
        profiles.update(moved.toBuilder().lastName("Moved").build(), LocalChange.APPLICATION);
        clock.advance(Duration.ofMinutes(5));
        crm.update(renamed, Person.number(1).withFirstName("Renamed"));
        List<Person> massImport = new ArrayList<>();
        for (int i = 5; i < 5 + 250; i++) {
            massImport.add(Person.number(i)); // more than a page: the read pages through them
        }
        crm.addAtOnce(massImport);
        // A new connector object logs in again and runs preflight again: every kind of call happens.
        connector.close();
        connector = crm.connector(ConnectorContext.forLocalSimulator(clock, sleeper));

        crm.failNext(kind, fault);
        List<SyncReport> during = new ArrayList<>();
        CapturedLog.during(() -> {
            during.add(outbound()); // a few updates: a connector may send them one by one
            signUps.forEach(this::signUp);
            during.add(outbound()); // a batch of creates
            during.add(inbound());
            return null;
        });
        assertThat(crm.faultsPending()).as("the fault was met: a %s call happened", kind).isZero();
        for (SyncReport r : during) {
            if (r.status() != RunStatus.COMPLETED) {
                assertThat(r.message()).as("how %s ended", r.jobId()).isNotBlank().doesNotContain("null");
            }
            r.rows(Outcome.FAILED).forEach(row -> assertThat(row.message()).isNotBlank());
        }

        crm.clearFaults();
        clock.advance(Duration.ofDays(1));
        outbound();
        inbound();
        clock.advance(Duration.ofMinutes(5));
        SyncReport finalOut = outbound();
        SyncReport finalIn = inbound();

        assertThat(finalOut.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(finalIn.status()).isEqualTo(RunStatus.COMPLETED);
        Map<String, Person> expected = new LinkedHashMap<>();
        expected.put(Person.number(1).email(), Person.number(1).withFirstName("Renamed"));
        expected.put(Person.number(2).email(), Person.number(2).withOptIn(false));
        Person three = Person.number(3);
        expected.put(three.email(), new Person(three.firstName(), "Moved", three.email(), three.phone(), true));
        expected.put(Person.number(4).email(), Person.number(4));
        signUps.forEach(p -> expected.put(p.email(), p));
        massImport.forEach(p -> expected.put(p.email(), p));
        assertThat(crmByEmail()).isEqualTo(expected);
        assertThat(localByEmail()).isEqualTo(expected);
        assertLinked();
    }

    // ----- the crash harness -----

    /**
     * The sync killed with SIGKILL at a random point (the N-th request the CRM receives, N from a seeded
     * generator) and run again ends in the state of a clean run. {@code -Dcrmsync.crash.trials} sets the
     * trial count (5 by default; the benchmark profile runs more), {@code -Dcrmsync.crash.seed} replays one.
     */
    @Test
    void aSyncKilledAtAnyPointAndRunAgainEndsAsACleanRunEnds(@org.junit.jupiter.api.io.TempDir java.nio.file.Path work)
            throws Exception {
        int trials = Integer.getInteger("crmsync.crash.trials", 5);
        long seed = Long.getLong("crmsync.crash.seed", System.nanoTime());
        new CrashHarness(() -> startCrm(MutableClock.ticking())).run(trials, seed, work);
    }

    // ----- helpers -----

    /** Runs {@code scenario} against a CRM, connector and stores of its own, and returns what it says. */
    private long measure(java.util.function.ToLongFunction<ConnectorContract> scenario) {
        ConnectorContract other = new ConnectorContract() {
            @Override
            protected ContractCrm startCrm(MutableClock c) {
                return ConnectorContract.this.startCrm(c);
            }
        };
        other.startContract();
        try {
            return scenario.applyAsLong(other);
        } finally {
            other.stopContract();
        }
    }

    /** Runs the job once a day until a run completes; every run's quota is {@link #quota}. */
    private List<SyncReport> runDailyUntilDone(SyncDirection direction) {
        List<SyncReport> runs = new ArrayList<>();
        for (int day = 0; day < 60; day++) {
            SyncReport r = engine.run(job(direction).build());
            runs.add(r);
            if (r.status() == RunStatus.COMPLETED) {
                return runs;
            }
            assertThat(r.status()).as(r.message()).isEqualTo(RunStatus.QUOTA_REACHED);
            clock.advance(Duration.ofDays(1));
        }
        throw new AssertionError("no run completed in 60 days: " + runs.get(runs.size() - 1).summary());
    }
}
