package org.crmsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.crmsync.engine.EngineFixture.crmPerson;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.Test;

/** DESIGN.md §3 rules 7-10, driven through the fake CRM. */
class OutboundSyncTest {
    private final EngineFixture f = new EngineFixture();

    private String id(Profile p) {
        return p.localId().orElseThrow();
    }

    @Test
    void aNewOptInWithAnEmailCreatesTheCrmRecordOptedInAndGetsItsIdAsConstituentId() {
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        String crmId = f.profile(id(p)).constituentId().orElseThrow();
        assertThat(f.crm.record(crmId).orElseThrow())
                .containsEntry("opt_in_status", "true")
                .containsEntry("profile_email", "ana@example.org")
                .containsEntry("phone_number", "+14155552671");
        assertThat(report.row(id(p)).orElseThrow().remoteId()).hasValue(crmId);
    }

    @Test
    void aNewOptInAlreadyInTheCrmIsLinkedNotDuplicated() {
        f.crm.put("X1", crmPerson("Ana", "Doe", "ANA@example.org", "", "US", "false"));
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(f.crm.size()).isEqualTo(1);
        assertThat(f.profile(id(p)).constituentId()).hasValue("X1");
        assertThat(f.crm.record("X1").orElseThrow()).containsEntry("opt_in_status", "true");
        assertThat(report.row(id(p)).orElseThrow().message()).contains("linked");
    }

    @Test
    void twoCrmRecordsMatchingOneNewOptInAreReportedNotGuessed() {
        f.crm.put("X1", crmPerson("Ana", "Doe", "ana@example.org", "", "US", ""));
        f.crm.put("X2", crmPerson("Ana", "Doe", "ana@example.org", "", "US", ""));
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.row(id(p)).orElseThrow().reason()).isEqualTo(Reason.MULTIPLE_MATCHES);
        assertThat(f.profile(id(p)).constituentId()).isEmpty();
        assertThat(f.crm.size()).isEqualTo(2);
    }

    @Test
    void aNewOptInWithoutAnEmailIsNotAddedToTheCrm() {
        Profile p = f.signUp("Ana", null, "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.row(id(p)).orElseThrow().reason()).isEqualTo(Reason.NO_EMAIL);
        assertThat(f.crm.size()).isZero();
        assertThat(f.crm.writeCalls()).isZero();
    }

    @Test
    void anOptOutOfALinkedProfileSetsTheCrmOptInToFalse() {
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        String crmId = f.profile(id(p)).constituentId().orElseThrow();

        f.appUpdate(f.profile(id(p)).toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());
        SyncReport report = f.outbound();

        assertThat(report.row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(f.crm.record(crmId).orElseThrow()).containsEntry("opt_in_status", "false");
    }

    @Test
    void anOptOutOfAnUnlinkedProfileFindsItsCrmRecordOrIsReportedAsNotInTheCrm() {
        f.crm.put("X1", crmPerson("Bo", "Doe", "bo@example.org", "+14155552672", "US", "true"));
        Profile known = f.signUp("Bo", "bo@example.org", "+14155552672", OptInStatus.OPTED_IN);
        Profile unknown = f.signUp("Cy", "cy@example.org", "+14155552673", OptInStatus.OPTED_IN);
        f.appUpdate(known.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());
        f.appUpdate(unknown.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());

        SyncReport report = f.outbound();

        assertThat(f.crm.record("X1").orElseThrow()).containsEntry("opt_in_status", "false");
        assertThat(f.profile(id(known)).constituentId()).hasValue("X1");
        assertThat(report.row(id(unknown)).orElseThrow().reason()).isEqualTo(Reason.NOT_IN_CRM);
    }

    @Test
    void liberalSyncPushesChangedMappedFieldsOfLinkedProfiles() {
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        String crmId = f.profile(id(p)).constituentId().orElseThrow();

        f.appUpdate(f.profile(id(p)).toBuilder().city("Fresno").build());
        SyncReport report = f.outbound();

        assertThat(report.row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(f.crm.record(crmId).orElseThrow()).containsEntry("address_city", "Fresno");
    }

    @Test
    void aWriteTheCrmDidNotNeedIsReportedAsNoDifference() {
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        // Edited and edited back before the next run: the CRM already has these values.
        f.appUpdate(f.profile(id(p)).toBuilder().city("Fresno").build());
        f.appUpdate(f.profile(id(p)).toBuilder().city(null).build());

        SyncReport report = f.outbound();

        assertThat(report.row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.NO_DIFFERENCE);
        assertThat(report.row(id(p)).orElseThrow().message()).isEqualTo("already up to date");
    }

    @Test
    void conservativeSyncPushesOnlyOptInChanges() {
        f.policy = f.policy.toBuilder().mode(SyncMode.CONSERVATIVE).build();
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        String crmId = f.profile(id(p)).constituentId().orElseThrow();
        int writes = f.crm.writeCalls();

        f.appUpdate(f.profile(id(p)).toBuilder().city("Fresno").build());
        SyncReport report = f.outbound();

        assertThat(report.row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.NO_DIFFERENCE);
        assertThat(f.crm.record(crmId).orElseThrow()).doesNotContainKey("address_city");
        assertThat(f.crm.writeCalls()).isEqualTo(writes);
    }

    @Test
    void whatTheInboundSyncBroughtInIsNotEchoedBackOut() {
        f.crm.put("A1", crmPerson("Ana", "Lopez", "ana@example.org", "4155552671", "US", "true"));
        f.inbound();

        SyncReport out = f.outbound();

        assertThat(out.rows()).isEmpty();
        assertThat(f.crm.writeCalls()).isZero();
    }

    @Test
    void theDailyQuotaStopsWritingDefersTheRestAndTheNextRunFinishesIt() {
        f.policy = f.policy.toBuilder().dailyApiQuota(5).build();
        List<Profile> people = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            people.add(f.signUp("P" + i, "p" + i + "@example.org", "+1415555" + (3000 + i), OptInStatus.OPTED_IN));
        }

        // preflight 1 + (lookup + write) for the first batch of 200 + (lookup + write) for the second = 5
        SyncReport first = f.outbound();

        assertThat(first.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(first.count(Outcome.CREATED)).isEqualTo(400);
        assertThat(first.count(Outcome.DEFERRED)).isEqualTo(100);
        assertThat(first.count(Reason.QUOTA_REACHED)).isEqualTo(100);
        assertThat(first.apiCallsUsed()).isEqualTo(5);
        assertThat(first.cursorAfter()).isEqualTo(SyncCursor.of("sequence", "400"));

        f.nextDay();
        SyncReport second = f.outbound();

        assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(second.count(Outcome.CREATED)).isEqualTo(100);
        assertThat(f.crm.size()).isEqualTo(500);
        assertThat(people).allSatisfy(p -> assertThat(f.profile(id(p)).constituentId()).isPresent());
    }

    @Test
    void aThousandNewOptInsTakeFiveWriteCallsAndFiveLookups() {
        for (int i = 0; i < 1000; i++) {
            f.signUp("P" + i, "p" + i + "@example.org", "+1415555" + (3000 + i), OptInStatus.OPTED_IN);
        }

        SyncReport report = f.outbound();

        assertThat(report.count(Outcome.CREATED)).isEqualTo(1000);
        assertThat(f.crm.writeCalls()).isEqualTo(5);
        assertThat(f.crm.lookupCalls()).isEqualTo(5);
        assertThat(report.apiCallsUsed()).isEqualTo(11); // and the preflight
    }

    @Test
    void aCrashBetweenTheCreateAndTheWriteBackDoesNotDuplicateTheContactOnTheReRun() {
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.crm.crashAfterApplyingNextWrite();

        SyncReport crashed = f.outbound();

        assertThat(crashed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(crashed.row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(f.crm.size()).isEqualTo(1);
        assertThat(f.profile(id(p)).constituentId()).isEmpty();

        SyncReport rerun = f.outbound();

        assertThat(f.crm.size()).isEqualTo(1);
        assertThat(f.profile(id(p)).constituentId()).hasValue("C1");
        assertThat(rerun.row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(f.state.pending("fake-out", SyncDirection.OUTBOUND)).isEmpty();
    }

    @Test
    void anOptOutIsNotLostWhenTheCrmIsDownItIsSentOnTheNextRun() {
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        String crmId = f.profile(id(p)).constituentId().orElseThrow();
        f.appUpdate(f.profile(id(p)).toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());
        f.crm.failWriteCalls(1);

        SyncReport down = f.outbound();

        assertThat(down.status()).isEqualTo(RunStatus.FAILED);
        assertThat(down.row(id(p)).orElseThrow().reason()).isEqualTo(Reason.PROCESSING_ERROR);
        assertThat(f.crm.record(crmId).orElseThrow()).containsEntry("opt_in_status", "true");

        SyncReport next = f.outbound();

        assertThat(next.row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(f.crm.record(crmId).orElseThrow()).containsEntry("opt_in_status", "false");
    }

    @Test
    void whenTheCrmFailsAWholeBatchTheLaterBatchesWaitForTheNextRunAndNothingIsLost() {
        for (int i = 0; i < 450; i++) {
            f.signUp("P" + i, "p" + i + "@example.org", "+1415555" + (3000 + i), OptInStatus.OPTED_IN);
        }
        f.crm.failWriteCalls(1);

        SyncReport down = f.outbound();

        assertThat(down.status()).isEqualTo(RunStatus.FAILED);
        assertThat(down.count(Outcome.FAILED)).isEqualTo(200);
        assertThat(down.count(Reason.RUN_STOPPED)).isEqualTo(250);
        assertThat(down.cursorAfter()).isEqualTo(SyncCursor.of("sequence", "200"));

        SyncReport next = f.outbound();

        assertThat(next.count(Outcome.CREATED)).isEqualTo(450);
        assertThat(f.crm.size()).isEqualTo(450);
    }

    @Test
    void aRecordTheCrmRejectsIsReportedKeptAndRetried() {
        Profile bad = f.signUp("Bad", "bad@example.org", "+14155552671", OptInStatus.OPTED_IN);
        Profile good = f.signUp("Good", "good@example.org", "+14155552672", OptInStatus.OPTED_IN);
        f.crm.reject(w -> w.fields().get("profile_first_name").equals("Bad"), "INVALID_EMAIL_ADDRESS", false);

        SyncReport first = f.outbound();

        assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(first.row(id(bad)).orElseThrow().reason()).isEqualTo(Reason.VALIDATION_ERROR);
        assertThat(first.row(id(bad)).orElseThrow().message()).startsWith("INVALID_EMAIL_ADDRESS");
        assertThat(first.row(id(good)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.state.pending("fake-out", SyncDirection.OUTBOUND)).extracting(r -> r.key()).containsExactly(id(bad));

        f.crm.clearRejections();
        SyncReport second = f.outbound();

        assertThat(second.row(id(bad)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.state.pending("fake-out", SyncDirection.OUTBOUND)).isEmpty();
    }

    @Test
    void aRecordTheCrmKeepsOutByARuleOfTheAccountIsReportedSkippedOnceAndNotRetried() {
        Profile excluded = f.signUp("Ex", "ex@example.org", "+14155552671", OptInStatus.OPTED_IN);
        Profile good = f.signUp("Good", "good@example.org", "+14155552672", OptInStatus.OPTED_IN);
        // First a failure that is retried, then the CRM's rule shows: the retry list lets the record go.
        f.crm.reject(w -> w.fields().get("profile_first_name").equals("Ex"), "SERVER_HICCUP", true);
        f.outbound();
        assertThat(f.state.pending("fake-out", SyncDirection.OUTBOUND)).extracting(r -> r.key())
                .containsExactly(id(excluded));
        f.crm.clearRejections().exclude(w -> w.fields().get("profile_first_name").equals("Ex"));

        SyncReport report = f.outbound();

        assertThat(report.row(id(excluded)).orElseThrow().outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(report.row(id(excluded)).orElseThrow().reason()).isEqualTo(Reason.EXCLUDED_BY_CRM);
        assertThat(report.row(id(excluded)).orElseThrow().message()).startsWith("EXCLUDED: ").contains("exclusion list");
        assertThat(f.crm.record(f.store.findByLocalId(id(good)).orElseThrow().constituentId().orElseThrow())).isPresent();
        assertThat(f.state.pending("fake-out", SyncDirection.OUTBOUND)).isEmpty();
        int writes = f.crm.writeCalls();

        SyncReport next = f.outbound();

        assertThat(next.row(id(excluded))).isEmpty();
        assertThat(f.crm.writeCalls()).isEqualTo(writes);
    }

    @Test
    void aRecordWithoutAFieldTheCrmRequiresIsReportedAndNeverSent() {
        f.crm.requireOnCreate("profile_last_name");
        Profile p = f.store.create(Profile.builder().firstName("Ana").email("ana@example.org")
                .phoneNumber("+14155552671").optInStatus(OptInStatus.OPTED_IN).build(), java.util.Optional.empty(),
                "application");

        SyncReport report = f.outbound();

        assertThat(report.row(id(p)).orElseThrow().reason()).isEqualTo(Reason.CRM_REQUIRED_FIELD_MISSING);
        assertThat(f.crm.writeCalls()).isZero();

        f.policy = f.policy.toBuilder().defaultLastName("Supporter").build();
        f.appUpdate(f.profile(id(p)).toBuilder().city("Reno").build());
        assertThat(f.outbound().row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.crm.record("C1").orElseThrow()).containsEntry("profile_last_name", "Supporter");
    }

    @Test
    void aDryRunPlansTheSameActionsAndWritesNothingToEitherSide() {
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport dry = f.engine.run(f.job(SyncDirection.OUTBOUND).dryRun(true).build());

        assertThat(dry.row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(dry.row(id(p)).orElseThrow().message()).startsWith("dry run");
        assertThat(f.crm.size()).isZero();
        assertThat(f.crm.writeCalls()).isZero();
        assertThat(f.profile(id(p)).constituentId()).isEmpty();
        assertThat(f.state.cursor("fake-out", SyncDirection.OUTBOUND)).isEmpty();

        assertThat(f.outbound().row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
    }

    @Test
    void runsOfOneJobNeverOverlap() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SyncJob job = f.job(SyncDirection.OUTBOUND).listener(new SyncListener() {
            @Override
            public void onRecord(org.crmsync.report.RecordResult result) {
                inside.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }).build();
        f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<SyncReport> first = pool.submit(() -> f.engine.run(job));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> f.engine.run(job)).isInstanceOfSatisfying(CrmSyncException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_RUN));

            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(RunStatus.COMPLETED);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theReportIsKeptInTheStateStore() {
        f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(f.state.recentReports("fake-out", 5)).singleElement()
                .satisfies(r -> assertThat(r.toJson()).isEqualTo(report.toJson()));
    }

    @Test
    void writesCarryTheOptInStatusForConnectorsWithAConsentApi() {
        List<RemoteWrite> seen = new ArrayList<>();
        f.crm.reject(w -> {
            seen.add(w);
            return false;
        }, "", false);
        f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        f.outbound();

        assertThat(seen).singleElement().satisfies(w -> {
            assertThat(w.operation()).isEqualTo(RemoteWrite.Operation.CREATE);
            assertThat(w.optIn()).isEqualTo(OptInStatus.OPTED_IN);
        });
        assertThat(Map.copyOf(seen.get(0).fields())).doesNotContainKey("constituent_id");
    }

    @Test
    void conservativeSyncLinkingANewOptInToAnExistingContactPushesOnlyTheOptIn() {
        f.policy = f.policy.toBuilder().mode(SyncMode.CONSERVATIVE).build();
        f.crm.put("X1", crmPerson("Ana", "Doe", "ana@example.org", "", "US", "false"));
        Profile p = f.store.create(Profile.builder().firstName("Anabel").lastName("Doe").email("ana@example.org")
                .phoneNumber("+14155552671").city("Fresno").optInStatus(OptInStatus.OPTED_IN).build(),
                java.util.Optional.empty(), "application");

        SyncReport report = f.outbound();

        assertThat(f.profile(id(p)).constituentId()).hasValue("X1");
        assertThat(f.crm.record("X1").orElseThrow())
                .containsEntry("opt_in_status", "true")
                .containsEntry("profile_first_name", "Ana")
                .doesNotContainKeys("address_city", "phone_number");
        assertThat(report.row(id(p)).orElseThrow().message()).contains("linked");
    }

    @Test
    void aNewOptInMatchingByPhoneAContactWithAnotherNameAndEmailIsAConflictAndNothingIsWritten() {
        f.crm.put("X1", crmPerson("Alice", "Adams", "alice@example.org", "+14155552671", "US", "false"));
        Profile bob = f.store.create(Profile.builder().firstName("Bob").lastName("Brown").email("bob@example.org")
                .phoneNumber("+14155552671").optInStatus(OptInStatus.OPTED_IN).build(), java.util.Optional.empty(),
                "application");

        for (SyncMode mode : SyncMode.values()) {
            f.policy = f.policy.toBuilder().mode(mode).build();
            SyncReport report = f.outbound();
            f.appUpdate(f.profile(id(bob)).toBuilder().city(mode.name()).build()); // changed again for the next mode

            assertThat(report.row(id(bob)).orElseThrow().reason()).as(mode.name()).isEqualTo(Reason.MATCH_CONFLICT);
            assertThat(report.row(id(bob)).orElseThrow().message()).contains("X1").doesNotContain("alice", "bob");
        }
        assertThat(f.crm.record("X1").orElseThrow())
                .containsEntry("profile_first_name", "Alice")
                .containsEntry("profile_email", "alice@example.org")
                .containsEntry("opt_in_status", "false");
        assertThat(f.crm.size()).isEqualTo(1);
        assertThat(f.crm.writeCalls()).isZero();
        assertThat(f.profile(id(bob)).constituentId()).isEmpty();
    }

    @Test
    void aNewOptInWhosePhoneAndEmailMatchDifferentContactsIsAConflictNotAGuess() {
        f.crm.put("A1", crmPerson("Ana", "Doe", "", "+14155552671", "US", "false"));
        f.crm.put("B1", crmPerson("Ana", "Doe", "ana@example.org", "", "US", "false"));
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.row(id(p)).orElseThrow().reason()).isEqualTo(Reason.MATCH_CONFLICT);
        assertThat(report.row(id(p)).orElseThrow().message()).contains("A1", "B1");
        assertThat(f.crm.record("A1").orElseThrow()).doesNotContainKey("profile_email");
        assertThat(f.crm.idsWhere("profile_email", "ana@example.org")).containsExactly("B1");
        assertThat(f.crm.writeCalls()).isZero();
        assertThat(f.profile(id(p)).constituentId()).isEmpty();
    }

    @Test
    void aNewOptInWithoutAValidMobileNumberOrFromACountryNotAllowedIsNotAddedToTheCrm() {
        Profile tooShort = f.signUp("Short", "short@example.org", "+1415555", OptInStatus.OPTED_IN);
        Profile landline = f.signUp("Land", "land@example.org", "+442079460958", OptInStatus.OPTED_IN);
        Profile abroad = f.signUp("Uk", "uk@example.org", "+447400123456", OptInStatus.OPTED_IN);
        Profile ok = f.signUp("Ok", "ok@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.row(id(tooShort)).orElseThrow().reason()).isEqualTo(Reason.NO_MOBILE_NUMBER);
        assertThat(report.row(id(landline)).orElseThrow().reason()).isEqualTo(Reason.NO_MOBILE_NUMBER);
        assertThat(report.row(id(abroad)).orElseThrow().reason()).isEqualTo(Reason.COUNTRY_NOT_ALLOWED);
        assertThat(report.row(id(ok)).orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.crm.size()).isEqualTo(1);
    }

    @Test
    void anOptOutOfALinkedProfileIsSentEvenWhenItsNewPhoneIsInvalidButThePhoneIsNotPushed() {
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        String crmId = f.profile(id(p)).constituentId().orElseThrow();

        f.appUpdate(f.profile(id(p)).toBuilder().phoneNumber("+1415555").optInStatus(OptInStatus.OPTED_OUT).build());
        SyncReport report = f.outbound();

        assertThat(f.crm.record(crmId).orElseThrow())
                .containsEntry("opt_in_status", "false")
                .containsEntry("phone_number", "+14155552671");
        assertThat(report.row(id(p)).orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(report.row(id(p)).orElseThrow().message()).contains("opted out in the CRM", "phone number not pushed");
    }

    @Test
    void anOptOutRowSaysOptedOutInTheCrm() {
        Profile p = f.signUp("Ana", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();

        f.appUpdate(f.profile(id(p)).toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());
        SyncReport report = f.outbound();

        assertThat(report.row(id(p)).orElseThrow().message()).isEqualTo("opted out in the CRM");
    }

    @Test
    void whenAWriteFailsUnexpectedlyEveryRecordStillGetsExactlyOneRowAndTheNextRunFinishes() {
        for (int i = 0; i < 450; i++) {
            f.signUp("P" + i, "p" + i + "@example.org", "+1415555" + (3000 + i), OptInStatus.OPTED_IN);
        }
        boolean[] thrown = {false};
        f.crm.reject(w -> {
            if (!thrown[0]) {
                thrown[0] = true;
                throw new IllegalStateException("connector bug");
            }
            return false;
        }, "", false);

        org.crmsync.testing.CapturedLog log = org.crmsync.testing.CapturedLog.during(f::outbound);
        SyncReport down = log.result();

        assertThat(log.text()).contains("fake-out", "connector bug").doesNotContain("@example.org");
        assertThat(down.status()).isEqualTo(RunStatus.FAILED);
        assertThat(down.rows()).hasSize(450);
        assertThat(down.count(Outcome.FAILED)).isEqualTo(200);
        assertThat(down.count(Reason.RUN_STOPPED)).isEqualTo(250);

        SyncReport next = f.outbound();

        assertThat(next.count(Outcome.CREATED)).isEqualTo(450);
        assertThat(f.crm.size()).isEqualTo(450);
    }

}
