package org.crmsync.activecampaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncJob;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.Authority;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.store.LocalChange;
import org.crmsync.testing.contract.Person;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a run costs in API calls and whether it keeps ActiveCampaign's rate limit, against the simulator
 * (which enforces 5 requests per second strictly: any rolling second with more than 5 gets a 429). The
 * counts are exact, per 1,000 records, as the benchmark prints them; nothing here is timed. Each run is a
 * job of its own, so its preflight counts.
 */
class ActiveCampaignPerformanceTest {
    private final ActiveCampaignFixture f = new ActiveCampaignFixture();
    private int runs;

    @BeforeEach
    void twoWaySubscriberSync() {
        // The benchmark's sync: the connector's default mapping, two-way, new opt-ins by the web path.
        f.mapping = ActiveCampaignMapping.defaults();
        f.policy = new ActiveCampaignConnectorProvider().policyPreset().mode(SyncMode.LIBERAL)
                .authority(Authority.TWO_WAY).defaultOptInPath("web").build();
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void severalHundredCallsAtTheAccountsFiveRequestsPerSecondReceiveNo429() {
        // One by one (contact/sync, then contactLists for each): a few hundred calls in one run.
        f.config.put(ActiveCampaignConfig.BULK_THRESHOLD, "1000000");
        for (int n = 1; n <= 200; n++) {
            signUp(Person.number(n));
        }

        SyncReport report = run(SyncDirection.OUTBOUND);

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(200);
        assertThat(f.ac.totalRequests()).isGreaterThanOrEqualTo(400);
        assertThat(f.ac.throttled()).as("requests answered 429").isZero();
    }

    @Test
    void aThousandNewOptInsIntoAnAccountOfThreeHundredContactsTakeNineteenCalls() {
        addToActiveCampaign(5001, 300);
        for (int n = 1; n <= 1000; n++) {
            signUp(Person.number(n));
        }

        SyncReport report = run(SyncDirection.OUTBOUND);

        System.out.println("ActiveCampaign, 1,000 new opt-ins into 300 contacts: " + f.ac.requestCounts());
        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1000);
        assertThat(f.ac.requests("GET /fields") + f.ac.requests("GET /lists")).as("preflight").isEqualTo(2);
        // The account read whole once (3 pages of 100) instead of 1,000 look-ups by email and 1,000 by local ID.
        assertThat(scans()).as("pages of the account").isEqualTo(3);
        assertThat(f.ac.requests("GET /fieldValues")).isZero();
        assertThat(f.ac.requests("POST /import/bulk_import")).isEqualTo(4);
        // import/info lists the new contacts' ids, not their emails: they are read back, 100 per call, and
        // since they show all that was sent, the imports need no import/info check.
        assertThat(f.ac.requests("GET /contacts") - scans()).as("reads of the new contacts").isEqualTo(10);
        assertThat(f.ac.requests("GET /import/info")).isZero();
        assertThat(report.apiCallsUsed()).isEqualTo(2 + 3 + 4 + 10);
        assertThat(f.ac.throttled()).isZero();
        assertThat(f.ac.contactCount()).isEqualTo(1300);
        // The batch's four imports go one after another before anything is read back, a second after the first
        // was queued: the importer works on the later ones meanwhile.
        List<String> log = f.ac.requestLog();
        int lastImport = log.lastIndexOf("POST /import/bulk_import");
        assertThat(log.subList(lastImport - 3, lastImport + 1)).containsOnly("POST /import/bulk_import");
        Profile p7 = profile(Person.number(7));
        assertThat(f.ac.value(p7.constituentId().orElseThrow(), "email")).hasValue("person7@example.org");
        assertThat(f.ac.listStatusOf(p7.constituentId().orElseThrow(), f.listId)).hasValue("1");
    }

    @Test
    void aThousandOptOutsOfLinkedContactsTakeTwentyCalls() {
        for (int n = 1; n <= 1000; n++) {
            signUp(Person.number(n));
        }
        run(SyncDirection.OUTBOUND);
        optOutEveryone();
        f.ac.resetCounts();

        SyncReport report = run(SyncDirection.OUTBOUND);

        System.out.println("ActiveCampaign, 1,000 opt-outs of linked contacts: " + f.ac.requestCounts());
        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.UPDATED)).isEqualTo(1000);
        assertThat(f.ac.requests("GET /fields") + f.ac.requests("GET /lists")).as("preflight").isEqualTo(2);
        // Each contact's current email, read by id, 100 per call: the importer matches on email, and an
        // email changed in ActiveCampaign would otherwise make a second contact.
        assertThat(f.ac.requests("GET /contacts")).as("reads by id").isEqualTo(10);
        assertThat(f.ac.requests("POST /import/bulk_import")).isEqualTo(4);
        assertThat(f.ac.requests("GET /import/info")).isEqualTo(4);
        assertThat(report.apiCallsUsed()).isEqualTo(2 + 10 + 4 + 4);
        assertThat(f.ac.throttled()).isZero();
        assertThat(f.ac.contactCount()).isEqualTo(1000);
        assertThat(f.ac.listStatusOf(profile(Person.number(7)).constituentId().orElseThrow(), f.listId)).hasValue("2");
    }

    @Test
    void aThousandChangedContactsReadInboundTakeTwelveCalls() {
        addToActiveCampaign(1, 1000);

        SyncReport report = run(SyncDirection.INBOUND);

        System.out.println("ActiveCampaign, 1,000 changed contacts read inbound: " + f.ac.requestCounts());
        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1000);
        // Preflight, then pages of 100 with field values and list statuses side-loaded.
        assertThat(f.ac.requests("GET /fields") + f.ac.requests("GET /lists")).as("preflight").isEqualTo(2);
        assertThat(f.ac.requests("GET /contacts")).isEqualTo(10);
        assertThat(report.apiCallsUsed()).isEqualTo(12);
    }

    @Test
    void aRunReadsASmallAccountWholeOnceAndLooksNothingUpInItsLaterBatches() {
        addToActiveCampaign(5001, 300);
        for (int n = 1; n <= 3000; n++) {
            signUp(Person.number(n));
        }

        SyncReport report = run(SyncDirection.OUTBOUND);

        assertThat(report.count(Outcome.CREATED)).isEqualTo(3000);
        // Three batches of 1,000: the account is read once (3 pages), not before each batch (3, 13, 23 pages).
        assertThat(scans()).isEqualTo(3);
        assertThat(f.ac.requestLog()).noneMatch(r -> r.contains("email="));
        assertThat(f.ac.requests("GET /contacts")).isEqualTo(3 + 30);
        assertThat(report.apiCallsUsed()).isEqualTo(2 + 3 + 12 + 30);
    }

    @Test
    void aContactCreatedElsewhereDuringARunIsNeitherDuplicatedNorOverwrittenByALaterBatch() {
        addToActiveCampaign(5001, 300);
        for (int n = 1; n <= 2000; n++) {
            signUp(Person.number(n));
        }
        // While the first batch is imported, another integration of the account creates two contacts the
        // run's read of the account did not see: one with the email of profile 1500 but another person's
        // name, and profile 1600 herself, signed up on a form in ActiveCampaign.
        String[] elsewhere = new String[2];
        f.ac.beforeNext("POST /import/bulk_import", () -> {
            elsewhere[0] = f.ac.addContact("person1500@example.org", "Someone", "Else");
            elsewhere[1] = f.ac.addContact("person1600@example.org", "First1600", "Last1600");
        });

        SyncReport report = run(SyncDirection.OUTBOUND);

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        // Not overwritten: the other person keeps her name, and the profile is reported, not linked.
        assertThat(f.ac.value(elsewhere[0], "firstName")).hasValue("Someone");
        assertThat(f.ac.contactIdsWithEmail("person1500@example.org")).containsExactly(elsewhere[0]);
        assertThat(profile(Person.number(1500)).constituentId()).isEmpty();
        assertThat(report.count(Outcome.FAILED)).isEqualTo(1);
        assertThat(f.state.pending("ac-perf-1", SyncDirection.OUTBOUND)).singleElement().satisfies(kept -> {
            assertThat(kept.key()).isEqualTo(profile(Person.number(1500)).localId().orElseThrow());
            assertThat(kept.lastError()).contains("EMAIL_IN_USE");
        });
        // Not duplicated: the same person is linked to the contact she made.
        assertThat(f.ac.contactIdsWithEmail("person1600@example.org")).containsExactly(elsewhere[1]);
        assertThat(profile(Person.number(1600)).constituentId()).hasValue(elsewhere[1]);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1998);
        assertThat(f.ac.contactCount()).isEqualTo(300 + 2 + 1998);
        // The run learnt of them by reading what is new since it read the account, which it does anyway
        // to learn its own new contacts' ids: no look-up by email, no second read of the account.
        assertThat(scans()).isEqualTo(3);
        assertThat(f.ac.requestLog()).noneMatch(r -> r.contains("email="));
    }

    // ----- helpers -----

    /**
     * Pages of the account as it was before the run, read in id order (the scan); reads of what is new
     * since (id_greater at or past the last contact added before the run) are not counted.
     */
    private long scans() {
        return f.ac.requestLog().stream()
                .filter(r -> r.startsWith("GET /contacts?") && r.contains("orders[id]=ASC")
                        && !r.contains("filters[updated_after]"))
                .filter(r -> !r.contains("id_greater=")
                        || Long.parseLong(r.replaceAll(".*id_greater=([0-9]+).*", "$1")) < lastIdBeforeTheRun)
                .count();
    }

    private long lastIdBeforeTheRun;

    private void addToActiveCampaign(int first, int count) {
        for (int n = first; n < first + count; n++) {
            Person p = Person.number(n);
            String id = f.ac.addContact(p.email(), p.firstName(), p.lastName());
            f.ac.edit(id, "phone", p.phone());
            f.ac.listStatus(id, f.listId, 1);
            lastIdBeforeTheRun = Long.parseLong(id);
        }
        f.clock.advance(Duration.ofMinutes(1));
    }

    private void signUp(Person p) {
        f.store.create(Profile.builder().firstName(p.firstName()).lastName(p.lastName()).email(p.email())
                .phoneNumber(p.phone()).optInStatus(p.optedIn() ? OptInStatus.OPTED_IN : OptInStatus.OPTED_OUT)
                .build(), Optional.empty(), LocalChange.APPLICATION);
    }

    private Profile profile(Person p) {
        return f.store.findByEmail(p.email()).stream().findFirst().orElseThrow();
    }

    private void optOutEveryone() {
        List<Profile> everyone;
        try (Stream<Profile> all = f.store.all()) {
            everyone = all.toList();
        }
        everyone.forEach(p -> f.store.update(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build(),
                LocalChange.APPLICATION));
    }

    /** A run of a job of its own, so its preflight runs, as in the benchmark. */
    private SyncReport run(SyncDirection direction) {
        SyncJob job = SyncJob.builder("ac-perf-" + (++runs)).connectionId("ac").connector(f.connector())
                .profiles(f.store).state(f.state).mapping(f.mapping).policy(f.policy).direction(direction).build();
        f.clock.advance(Duration.ofMinutes(1));
        return f.engine.run(job);
    }
}
