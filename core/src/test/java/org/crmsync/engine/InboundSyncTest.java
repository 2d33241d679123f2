package org.crmsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crmsync.engine.EngineFixture.crmPerson;

import java.util.Map;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.MatchKey;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.Test;

/** DESIGN.md §3 rules 1-6 and consent safety, driven through the fake CRM. */
class InboundSyncTest {
    private final EngineFixture f = new EngineFixture();

    @Test
    void newCrmSubscriberIsCreatedLocallyOnTheDefaultOptInPathWithTheCrmIdAsConstituentId() {
        f.crm.put("A1", crmPerson("Ana", "Lopez", "ana@example.org", "(415) 555-2671", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
        Profile ana = f.byPhone("+14155552671").orElseThrow();
        assertThat(ana.constituentId()).hasValue("A1");
        assertThat(ana.email()).hasValue("ana@example.org");
        assertThat(ana.optInStatus()).isEqualTo(OptInStatus.OPTED_IN);
        assertThat(f.store.optInPaths).containsEntry(ana.localId().orElseThrow(), "web-path-1");
    }

    @Test
    void recordsWithoutAValidMobileNumberAreSkippedWithAReason() {
        f.policy = f.policy.toBuilder().allowedCountries().build();
        f.crm.put("A1", crmPerson("No", "Phone", "a@example.org", "", "US", "true"));
        f.crm.put("A2", crmPerson("Bad", "Phone", "b@example.org", "12345", "US", "true"));
        f.crm.put("A3", crmPerson("Land", "Line", "c@example.org", "+44 20 7946 0958", "GB", "true"));

        SyncReport report = f.inbound();

        assertThat(report.count(Reason.NO_MOBILE_NUMBER)).isEqualTo(3);
        assertThat(report.row("A3").orElseThrow().message()).contains("not a mobile number");
        assertThat(f.store.size()).isZero();
    }

    @Test
    void recordsFromCountriesOutsideTheAllowedOnesAreSkipped() {
        f.crm.put("A1", crmPerson("Can", "Ada", "ca@example.org", "+1 416 555 2671", "Canada", "true"));
        f.crm.put("A2", crmPerson("Uk", "Mobile", "uk@example.org", "+44 7400 123456", "", "true"));
        f.crm.put("A3", crmPerson("Us", "Person", "us@example.org", "4155552671", "United States", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().reason()).isEqualTo(Reason.COUNTRY_NOT_ALLOWED);
        assertThat(report.row("A2").orElseThrow().reason()).isEqualTo(Reason.COUNTRY_NOT_ALLOWED);
        assertThat(report.row("A3").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
    }

    @Test
    void aCountryPlaceholderLikeNaFallsBackToThePhoneNumbersCountry() {
        f.crm.put("A1", crmPerson("Us", "Person", "us@example.org", "4155552671", "N/A", "true"));

        assertThat(f.inbound().row("A1").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
    }

    @Test
    void recordsWithoutAValueInARequiredFieldAreSkipped() {
        f.mapping = f.mapping.toBuilder().rule(FieldRule.builder("address_city").apiName("address_city")
                .required(true).build()).build();
        Map<String, String> withCity = crmPerson("Ci", "Ty", "c@example.org", "4155552671", "US", "true");
        withCity.put("address_city", "Oakland");
        f.crm.put("A1", withCity);
        f.crm.put("A2", crmPerson("No", "City", "n@example.org", "4155552672", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(report.row("A2").orElseThrow().reason()).isEqualTo(Reason.MISSING_REQUIRED_FIELD);
        assertThat(report.row("A2").orElseThrow().message()).contains("address_city");
    }

    @Test
    void conservativeSyncSkipsRecordsNotOptedIn() {
        f.policy = f.policy.toBuilder().mode(SyncMode.CONSERVATIVE).build();
        f.crm.put("A1", crmPerson("In", "One", "in@example.org", "4155552671", "US", "true"));
        f.crm.put("A2", crmPerson("Out", "Two", "out@example.org", "4155552672", "US", "false"));
        f.crm.put("A3", crmPerson("Blank", "Three", "blank@example.org", "4155552673", "US", ""));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(report.row("A2").orElseThrow().reason()).isEqualTo(Reason.NOT_OPTED_IN);
        assertThat(report.row("A3").orElseThrow().reason()).isEqualTo(Reason.NOT_OPTED_IN);
    }

    @Test
    void conservativeSyncStillPassesACrmOptOutOfALinkedPersonAndNothingElse() {
        f.policy = f.policy.toBuilder().mode(SyncMode.CONSERVATIVE).build();
        Profile p = f.signUp("Go", "go@example.org", "+14155550102", OptInStatus.OPTED_IN);
        f.appUpdate(p.toBuilder().constituentId("A1").build());
        Map<String, String> optedOut = crmPerson("Renamed", "Doe", "go@example.org", "+14155550102", "US", "false");
        f.crm.put("A1", optedOut);

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(f.profile(p.localId().orElseThrow()).optInStatus()).isEqualTo(OptInStatus.OPTED_OUT);
        assertThat(f.profile(p.localId().orElseThrow()).firstName()).hasValue("Go");
        assertThat(f.inbound().rows()).isEmpty();
    }

    @Test
    void liberalSyncTakesRecordsRegardlessOfOptInButPutsOnlyOptInsOnTheOptInPath() {
        f.crm.put("A1", crmPerson("Out", "Two", "out@example.org", "4155552672", "US", "false"));
        f.crm.put("A2", crmPerson("Blank", "Three", "blank@example.org", "4155552673", "US", ""));

        SyncReport report = f.inbound();

        assertThat(report.count(Outcome.CREATED)).isEqualTo(2);
        assertThat(f.byPhone("+14155552672").orElseThrow().optInStatus()).isEqualTo(OptInStatus.OPTED_OUT);
        assertThat(f.byPhone("+14155552673").orElseThrow().optInStatus()).isEqualTo(OptInStatus.UNKNOWN);
        assertThat(f.store.optInPaths).isEmpty();
    }

    @Test
    void matchesByConstituentIdFirstThenPhoneThenEmail() {
        Profile linked = f.signUp("Linked", "linked@example.org", "+14155550101", OptInStatus.OPTED_IN);
        f.appUpdate(linked.toBuilder().constituentId("A1").build());
        Profile byPhone = f.signUp("Phone", "phone@example.org", "+14155550102", OptInStatus.OPTED_IN);
        Profile byEmail = f.signUp("Email", "email@example.org", "+14155550103", OptInStatus.OPTED_IN);
        // A1 has a new phone and email but keeps its constituent ID; A2 matches by phone; A3 by email only.
        f.crm.put("A1", crmPerson("Linked", "Doe", "new@example.org", "+14155550199", "US", "true"));
        f.crm.put("A2", crmPerson("Phone", "Doe", "other@example.org", "+14155550102", "US", "true"));
        f.crm.put("A3", crmPerson("Email", "Doe", "EMAIL@example.org", "+14155550188", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.count(Outcome.UPDATED)).isEqualTo(3);
        assertThat(f.profile(linked.localId().orElseThrow()).phoneNumber()).hasValue("+14155550199");
        assertThat(f.profile(byPhone.localId().orElseThrow()).constituentId()).hasValue("A2");
        assertThat(f.profile(byPhone.localId().orElseThrow()).email()).hasValue("other@example.org");
        assertThat(f.profile(byEmail.localId().orElseThrow()).constituentId()).hasValue("A3");
        assertThat(f.store.size()).isEqualTo(3);
    }

    @Test
    void everyActionStyleMatchingOnMobileNumberTakesTheEmailFromTheCrm() {
        f.policy = f.policy.toBuilder().inboundMatchOrder(MatchKey.CONSTITUENT_ID, MatchKey.PHONE).build();
        Profile local = f.signUp("Mo", "old@example.org", "+14155550102", OptInStatus.OPTED_IN);
        f.crm.put("V1", crmPerson("Mo", "Doe", "from-crm@example.org", "+14155550102", "US", "true"));
        // Same email as the local profile but another phone: with phone-only matching it is a new person.
        f.crm.put("V2", crmPerson("Other", "Doe", "old@example.org", "+14155550177", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(f.profile(local.localId().orElseThrow()).email()).hasValue("from-crm@example.org");
        assertThat(report.row("V2").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
    }

    @Test
    void moreThanOneMatchIsSkippedAndReportedNeverGuessed() {
        f.signUp("Twin", "one@example.org", "+14155550102", OptInStatus.OPTED_IN);
        f.signUp("Twin", "two@example.org", "+14155550102", OptInStatus.OPTED_IN);
        f.crm.put("A1", crmPerson("Twin", "Doe", "x@example.org", "+14155550102", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().reason()).isEqualTo(Reason.MULTIPLE_MATCHES);
        assertThat(report.row("A1").orElseThrow().message()).contains("2 local profiles match by phone");
        assertThat(f.store.findByConstituentId("A1")).isEmpty();
    }

    @Test
    void aMatchAlreadyLinkedToAnotherCrmRecordIsNotRelinked() {
        Profile p = f.signUp("Li", "li@example.org", "+14155550102", OptInStatus.OPTED_IN);
        f.appUpdate(p.toBuilder().constituentId("A9").build());
        f.crm.put("A1", crmPerson("Li", "Doe", "li@example.org", "+14155550102", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().reason()).isEqualTo(Reason.LINKED_TO_OTHER_RECORD);
        assertThat(f.profile(p.localId().orElseThrow()).constituentId()).hasValue("A9");
    }

    @Test
    void knownPersonGetsMappedFieldsUpdatedAndAnEqualRecordIsNoDifference() {
        f.crm.put("A1", crmPerson("Ana", "Lopez", "ana@example.org", "4155552671", "US", "true"));
        f.inbound();
        f.crm.put("A1", Map.of("address_city", "Fresno"));
        f.crm.put("A2", crmPerson("Bo", "Lee", "bo@example.org", "4155552672", "US", "true"));

        SyncReport second = f.inbound();

        assertThat(second.row("A1").orElseThrow().outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(second.row("A1").orElseThrow().message()).contains("address_city");
        assertThat(f.byPhone("+14155552671").orElseThrow().city()).hasValue("Fresno");
        f.crm.put("A1", Map.of("address_city", "Fresno"));
        assertThat(f.inbound().row("A1").orElseThrow().outcome()).isEqualTo(Outcome.NO_DIFFERENCE);
    }

    @Test
    void crmOptInNeverTurnsALocalOptOutBackIntoAnOptIn() {
        Profile p = f.signUp("Stop", "stop@example.org", "+14155550102", OptInStatus.OPTED_OUT);
        f.crm.put("A1", crmPerson("Stop", "Doe", "stop@example.org", "+14155550102", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().reason()).isEqualTo(Reason.OPT_OUT_PROTECTED);
        assertThat(f.profile(p.localId().orElseThrow()).optInStatus()).isEqualTo(OptInStatus.OPTED_OUT);
        // The link and the other fields still arrive.
        assertThat(f.profile(p.localId().orElseThrow()).constituentId()).hasValue("A1");
    }

    @Test
    void crmOptOutOptsThePersonOutLocally() {
        Profile p = f.signUp("Go", "go@example.org", "+14155550102", OptInStatus.OPTED_IN);
        f.crm.put("A1", crmPerson("Go", "Doe", "go@example.org", "+14155550102", "US", "false"));

        f.inbound();

        assertThat(f.profile(p.localId().orElseThrow()).optInStatus()).isEqualTo(OptInStatus.OPTED_OUT);
    }

    @Test
    void defaultNamesFillProfilesWithoutNames() {
        f.policy = f.policy.toBuilder().defaultFirstName("Contact").build();
        f.crm.put("A1", crmPerson("", "", "x@example.org", "4155552671", "US", "true"));

        f.inbound();

        assertThat(f.byPhone("+14155552671").orElseThrow().firstName()).hasValue("Contact");
        assertThat(f.byPhone("+14155552671").orElseThrow().lastName()).isEmpty();
    }

    @Test
    void aSecondRunReadsOnlyWhatChangedSinceTheCursor() {
        for (int i = 0; i < 120; i++) {
            f.crm.put("A" + i, crmPerson("P" + i, "Doe", "p" + i + "@example.org", "+1415555" + (3000 + i), "US",
                    "true"));
        }
        SyncReport first = f.inbound();
        f.crm.put("A7", Map.of("address_city", "Reno"));

        SyncReport second = f.inbound();

        assertThat(first.count(Outcome.CREATED)).isEqualTo(120);
        assertThat(first.cursorAfter()).isEqualTo(SyncCursor.of("seq", "120"));
        assertThat(second.recordsRead()).isEqualTo(1);
        assertThat(second.rows()).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("A7"));
        assertThat(f.state.cursor("fake-in", SyncDirection.INBOUND)).hasValue(SyncCursor.of("seq", "121"));
    }

    @Test
    void theCursorStopsBeforeARecordTheStoreCouldNotTakeAndTheReRunDuplicatesNothing() {
        for (int i = 0; i < 10; i++) {
            f.crm.put("A" + i, crmPerson("P" + i, "Doe", "p" + i + "@example.org", "+1415555" + (3000 + i), "US",
                    "true"));
        }
        f.store.failCreate = p -> false;
        EngineFixture.RecordingStore store = f.store;
        store.failCreate = p -> {
            if (p.firstName().orElse("").equals("P6")) {
                store.storageDown = true;
            }
            return false;
        };
        SyncReport crashed = f.inbound();

        assertThat(crashed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(crashed.cursorAfter()).isEqualTo(SyncCursor.of("seq", "6"));
        assertThat(f.store.size()).isEqualTo(6);

        store.storageDown = false;
        store.failCreate = p -> false;
        SyncReport rerun = f.inbound();

        assertThat(rerun.count(Outcome.CREATED)).isEqualTo(4);
        assertThat(f.store.size()).isEqualTo(10);
    }

    @Test
    void oneRecordsFailureIsReportedKeptAndRetriedOnTheNextRun() {
        f.crm.put("A1", crmPerson("Ok", "Doe", "ok@example.org", "4155552671", "US", "true"));
        f.crm.put("A2", crmPerson("Fails", "Doe", "f@example.org", "4155552672", "US", "true"));
        f.crm.put("A3", crmPerson("Ok2", "Doe", "ok2@example.org", "4155552673", "US", "true"));
        f.store.failCreate = p -> p.firstName().orElse("").equals("Fails");

        SyncReport first = f.inbound();

        assertThat(first.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(first.row("A2").orElseThrow().reason()).isEqualTo(Reason.PROCESSING_ERROR);
        assertThat(first.count(Outcome.CREATED)).isEqualTo(2);
        assertThat(f.state.pending("fake-in", SyncDirection.INBOUND)).hasSize(1);

        f.store.failCreate = p -> false;
        SyncReport second = f.inbound();

        assertThat(second.row("A2").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.state.pending("fake-in", SyncDirection.INBOUND)).isEmpty();
        assertThat(f.store.size()).isEqualTo(3);
    }

    @Test
    void aValueThatCannotBeConvertedFailsThatRecordOnly() {
        f.crm.put("A1", crmPerson("Odd", "Doe", "odd@example.org", "4155552671", "US", "maybe"));
        f.crm.put("A2", crmPerson("Ok", "Doe", "ok@example.org", "4155552672", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().reason()).isEqualTo(Reason.VALIDATION_ERROR);
        assertThat(report.row("A1").orElseThrow().message()).contains("opt_in_status");
        assertThat(report.row("A2").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
    }

    @Test
    void theDailyQuotaStopsReadingAndTheNextDayCarriesOn() {
        FakeQuota.fill(f, 120);
        f.policy = f.policy.toBuilder().dailyApiQuota(2).build(); // preflight + one page of 50

        SyncReport first = f.inbound();

        assertThat(first.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(first.count(Outcome.CREATED)).isEqualTo(50);
        assertThat(first.apiCallsUsed()).isEqualTo(2);
        assertThat(f.inbound().status()).isEqualTo(RunStatus.QUOTA_REACHED); // still today: nothing more

        f.nextDay();
        f.policy = f.policy.toBuilder().dailyApiQuota(10).build();
        SyncReport next = f.inbound();

        assertThat(next.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(next.count(Outcome.CREATED)).isEqualTo(70);
        assertThat(f.store.size()).isEqualTo(120);
    }

    @Test
    void preflightProblemsStopTheRunBeforeAnyRecordMoves() {
        f.crm.knownFields(java.util.Set.of("phone_number", "profile_email"));
        f.crm.put("A1", crmPerson("Ana", "Lopez", "ana@example.org", "4155552671", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
        assertThat(report.preflightProblems()).anySatisfy(p -> assertThat(p).startsWith("opt_in_status"));
        assertThat(report.rows()).isEmpty();
        assertThat(f.store.size()).isZero();
        assertThat(f.state.cursor("fake-in", SyncDirection.INBOUND)).isEmpty();
    }

    @Test
    void aDryRunReportsWhatItWouldDoAndWritesNothing() {
        f.crm.put("A1", crmPerson("Ana", "Lopez", "ana@example.org", "4155552671", "US", "true"));

        SyncReport report = f.engine.run(f.job(SyncDirection.INBOUND).dryRun(true).build());

        assertThat(report.dryRun()).isTrue();
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(f.store.size()).isZero();
        assertThat(f.state.cursor("fake-in", SyncDirection.INBOUND)).isEmpty();
        assertThat(f.state.recentReports("fake-in", 5)).isEmpty();
    }

    @Test
    void csvHeadingsMapExportFileRecords() {
        FieldMapping m = FieldMapping.builder()
                .rule(FieldRule.builder("phone_number").apiName("MobilePhone").csvHeading("Mobile").build())
                .rule(FieldRule.builder("profile_email").apiName("Email").csvHeading("Email Address").build())
                .build();

        var fromFile = m.toLocal(Map.of("Mobile", "4155552671", "Email Address", "a@example.org"),
                org.crmsync.mapping.RecordSource.EXPORT_FILE);
        var fromApi = m.toLocal(Map.of("MobilePhone", "4155552671", "Email", "a@example.org"),
                org.crmsync.mapping.RecordSource.API);

        assertThat(fromFile.values()).isEqualTo(fromApi.values())
                .containsEntry("phone_number", "4155552671").containsEntry("profile_email", "a@example.org");
    }

    /** Fills the fake CRM with opted-in US people. */
    static final class FakeQuota {
        static void fill(EngineFixture f, int n) {
            for (int i = 0; i < n; i++) {
                f.crm.put("A" + i, crmPerson("P" + i, "Doe", "p" + i + "@example.org", "+1415555" + (3000 + i), "US",
                        "true"));
            }
        }
    }

    @Test
    void aCrmRecordWhosePhoneAndEmailMatchDifferentLocalProfilesIsAConflictNotAGuess() {
        Profile byPhone = f.signUp("Ana", "ana@example.org", "+14155550102", OptInStatus.OPTED_IN);
        Profile byEmail = f.signUp("Ana", "ana.doe@example.org", "+14155550103", OptInStatus.OPTED_IN);
        f.crm.put("A1", crmPerson("Ana", "Doe", "ana.doe@example.org", "+14155550102", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().reason()).isEqualTo(Reason.MATCH_CONFLICT);
        assertThat(report.row("A1").orElseThrow().message())
                .contains(byPhone.localId().orElseThrow(), byEmail.localId().orElseThrow())
                .doesNotContain("ana.doe@example.org", "4155550102");
        assertThat(f.profile(byPhone.localId().orElseThrow()).email()).hasValue("ana@example.org");
        assertThat(f.store.findByConstituentId("A1")).isEmpty();
        assertThat(f.store.size()).isEqualTo(2);
    }

    @Test
    void aLinkedCrmRecordWhoseNewPhoneBelongsToAnotherProfileIsAConflict() {
        Profile linked = f.signUp("Ana", "ana@example.org", "+14155550102", OptInStatus.OPTED_IN);
        f.appUpdate(linked.toBuilder().constituentId("A1").build());
        Profile other = f.signUp("Bo", "bo@example.org", "+14155550199", OptInStatus.OPTED_IN);
        f.crm.put("A1", crmPerson("Ana", "Doe", "ana@example.org", "+14155550199", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().reason()).isEqualTo(Reason.MATCH_CONFLICT);
        assertThat(f.profile(linked.localId().orElseThrow()).phoneNumber()).hasValue("+14155550102");
        assertThat(f.store.findByPhone("+14155550199")).extracting(p -> p.localId().orElseThrow())
                .containsExactly(other.localId().orElseThrow());
    }

    @Test
    void aCrmRecordMatchingByPhoneAProfileWithAnotherNameAndEmailIsAConflictAndNothingChanges() {
        Profile bob = f.store.create(Profile.builder().firstName("Bob").lastName("Brown").email("bob@example.org")
                .phoneNumber("+14155550102").optInStatus(OptInStatus.OPTED_IN).build(), java.util.Optional.empty(),
                "application");
        f.crm.put("A1", crmPerson("Alice", "Adams", "alice@example.org", "+14155550102", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().reason()).isEqualTo(Reason.MATCH_CONFLICT);
        Profile after = f.profile(bob.localId().orElseThrow());
        assertThat(after.firstName()).hasValue("Bob");
        assertThat(after.email()).hasValue("bob@example.org");
        assertThat(after.constituentId()).isEmpty();
    }

    @Test
    void aValueLongerThanAProfileFieldMayHoldFailsThatRecordNamingTheFieldAndIsNotStored() {
        f.crm.put("A1", crmPerson("x".repeat(10_000_000), "Doe", "ana@example.org", "4155552671", "US", "true"));
        f.crm.put("A2", crmPerson("Bo", "Doe", "bo@example.org", "4155552672", "US", "true"));

        SyncReport report = f.inbound();

        assertThat(report.row("A1").orElseThrow().reason()).isEqualTo(Reason.VALIDATION_ERROR);
        assertThat(report.row("A1").orElseThrow().message()).contains("profile_first_name", "10000000")
                .hasSizeLessThan(300);
        assertThat(report.row("A2").orElseThrow().outcome()).isEqualTo(Outcome.CREATED);
        assertThat(f.store.size()).isEqualTo(1);
        assertThat(f.state.pending("fake-in", SyncDirection.INBOUND)).isEmpty();
    }

    @Test
    void whenTheStoreFailsMidRunEveryRecordReadStillGetsExactlyOneRow() {
        for (int i = 0; i < 10; i++) {
            f.crm.put("A" + i, crmPerson("P" + i, "Doe", "p" + i + "@example.org", "+1415555" + (3000 + i), "US",
                    "true"));
        }
        EngineFixture.RecordingStore store = f.store;
        store.failCreate = p -> {
            if (p.firstName().orElse("").equals("P6")) {
                store.storageDown = true;
            }
            return false;
        };

        SyncReport crashed = f.inbound();

        assertThat(crashed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(crashed.recordsRead()).isEqualTo(10);
        assertThat(crashed.rows()).hasSize(10);
        assertThat(crashed.rows()).extracting(r -> r.key()).doesNotHaveDuplicates();
        assertThat(crashed.count(Outcome.CREATED)).isEqualTo(6);
        assertThat(crashed.count(Reason.RUN_STOPPED)).isEqualTo(4);
    }


    @Test
    void everyRowGoesToTheJobsSinkWhileTheReportKeepsOnlyItsSample() {
        FakeQuota.fill(f, 2_500);
        java.io.StringWriter csv = new java.io.StringWriter();

        SyncReport report = f.engine.run(f.job(SyncDirection.INBOUND).reportRowsKept(1_000)
                .reportSink(org.crmsync.report.ReportSink.csv(csv)).build());

        assertThat(report.rowCount()).isEqualTo(2_500);
        assertThat(report.rows()).hasSize(1_000);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(2_500);
        assertThat(csv.toString().lines().count()).isEqualTo(2_501); // and the header
        assertThat(f.state.recentReports("fake-in", 1)).singleElement()
                .satisfies(saved -> assertThat(saved.rowCount()).isEqualTo(2_500));
    }


    @Test
    void withTheNextGroupReadAheadTheListenerStillHearsEveryRecordOnTheThreadThatRunsTheSync() {
        FakeQuota.fill(f, 450);
        Thread runner = Thread.currentThread();
        java.util.Set<String> otherThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicLong heard = new java.util.concurrent.atomic.AtomicLong();
        SyncListener listener = new SyncListener() {
            @Override
            public void onRecord(org.crmsync.report.RecordResult result) {
                heard.incrementAndGet();
                if (Thread.currentThread() != runner) {
                    otherThreads.add(Thread.currentThread().getName());
                }
            }
        };

        SyncReport report = new SyncEngine(f.clock, java.time.Duration.ZERO, 4)
                .run(f.job(SyncDirection.INBOUND).listener(listener).build());

        assertThat(report.count(Outcome.CREATED)).isEqualTo(450);
        assertThat(heard).hasValue(450);
        assertThat(otherThreads).isEmpty();
        assertThat(f.state.cursor("fake-in", SyncDirection.INBOUND)).contains(report.cursorAfter());
    }

    @Test
    void recordsPreparedOnSeveralThreadsAreAppliedInTheFeedsOrderWithTheSameResults() {
        FakeQuota.fill(f, 600);
        f.crm.put("A300", Map.of("opt_in_status", "maybe")); // fails its mapping, in the middle of a group
        SyncEngine parallel = new SyncEngine(f.clock, java.time.Duration.ZERO, 4);
        EngineFixture serial = new EngineFixture();
        FakeQuota.fill(serial, 600);
        serial.crm.put("A300", Map.of("opt_in_status", "maybe"));

        SyncReport four = parallel.run(f.job(SyncDirection.INBOUND).build());
        SyncReport one = new SyncEngine(serial.clock, java.time.Duration.ZERO, 1)
                .run(serial.job(SyncDirection.INBOUND).build());

        assertThat(four.rows()).extracting(r -> r.key() + " " + r.outcome() + " " + r.reason())
                .containsExactlyElementsOf(one.rows().stream().map(r -> r.key() + " " + r.outcome() + " " + r.reason())
                        .toList());
        assertThat(four.row("A300").orElseThrow().reason()).isEqualTo(Reason.VALIDATION_ERROR);
        assertThat(four.cursorAfter()).isEqualTo(one.cursorAfter());
    }

}
