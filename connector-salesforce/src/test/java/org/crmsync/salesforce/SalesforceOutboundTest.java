package org.crmsync.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.WriteMode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.crmsync.phone.PhoneVariants;
import org.crmsync.policy.MatchKey;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.salesforce.SalesforceSimulator.Kind;
import org.crmsync.salesforce.internal.SalesforceClient;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SalesforceOutboundTest {
    private final SalesforceFixture f = new SalesforceFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private List<Profile> signUps(int n) {
        List<Profile> created = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            created.add(f.signUp("First" + i, "Last" + i, String.format("subscriber%04d@example.org", i),
                    "+1415555" + (2000 + i), OptInStatus.OPTED_IN));
        }
        return created;
    }

    @Test
    void aNewOptInBecomesAContactWithOptInTrueAndItsIdIsWrittenBack() {
        Profile p = f.signUp("Ana", "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
        String id = f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();
        Map<String, Object> contact = f.sf.contact(id).orElseThrow();
        assertThat(contact).containsEntry("Mobile_Subscriber__c", true).containsEntry("LastName", "Reyes")
                .containsEntry("Email", "ana@example.org").containsEntry("MobilePhone", "+14155552671")
                .containsEntry("LeadSource", "Mobile Commons");
    }

    @Test
    void aNewContactWithoutAFirstNameGetsTheSeedsDefault() {
        Profile p = f.store.create(Profile.builder().lastName("Reyes").email("ana@example.org")
                .phoneNumber("+14155552671").optInStatus(OptInStatus.OPTED_IN).build(), Optional.empty(), "application");

        f.outbound();

        String id = f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();
        assertThat(f.sf.contact(id).orElseThrow()).containsEntry("FirstName", "Contact");
    }

    @Test
    void aProfileWithoutALastNameIsNotSentAndIsReportedAsMissingARequiredField() {
        f.store.create(Profile.builder().firstName("Ana").email("ana@example.org").phoneNumber("+14155552671")
                .optInStatus(OptInStatus.OPTED_IN).build(), Optional.empty(), "application");

        SyncReport report = f.outbound();

        assertThat(report.count(Reason.CRM_REQUIRED_FIELD_MISSING)).isEqualTo(1);
        assertThat(report.rows().get(0).message()).contains("LastName");
        assertThat(f.sf.requests(Kind.CREATE)).isZero();
        assertThat(f.sf.contactCount()).isZero();
    }

    @Test
    void anExistingContactFoundByEmailIsLinkedNotDuplicated() {
        String id = f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ANA@example.org", null, false));
        Profile p = f.signUp("Ana", "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(f.sf.contactCount()).isEqualTo(1);
        assertThat(f.profile(p.localId().orElseThrow()).constituentId()).contains(id);
        assertThat(f.sf.contact(id).orElseThrow()).containsEntry("Mobile_Subscriber__c", true);
    }

    @Test
    void anExistingContactFoundByTheMobileNumberAsTheUiFormatsItIsLinked() {
        String id = f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana.work@example.org",
                "(415) 555-2671", false));
        Profile p = f.signUp("Ana", "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        f.outbound();

        assertThat(f.sf.contactCount()).isEqualTo(1);
        assertThat(f.profile(p.localId().orElseThrow()).constituentId()).contains(id);
    }

    @Test
    void contactsStoredWithTheMobileInAnyCommonNorthAmericanSpellingAreFoundNotDuplicated() {
        List<String> stored = List.of("+1 415 555 2671", "415.555.2672", "415-555-2673", "1-415-555-2674",
                "+1 (415) 555-2675", "(415)555-2676", "14155552677", "+1 415-555-2678");
        List<String> ids = new ArrayList<>();
        List<Profile> people = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            ids.add(f.sf.addContact(SalesforceFixture.contact("P" + i, "Reyes", "work" + i + "@example.org",
                    stored.get(i), false)));
            people.add(f.signUp("P" + i, "Reyes", "home" + i + "@example.org", "+1415555267" + (i + 1),
                    OptInStatus.OPTED_IN));
        }

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isZero();
        assertThat(report.count(Outcome.UPDATED)).isEqualTo(stored.size());
        assertThat(f.sf.contactCount()).isEqualTo(stored.size());
        for (int i = 0; i < stored.size(); i++) {
            assertThat(f.profile(people.get(i).localId().orElseThrow()).constituentId()).as(stored.get(i))
                    .contains(ids.get(i));
        }
    }

    @Test
    void aRefusedLookupQuotesSalesforcesReasonButNoneOfTheBatchsEmailsOrPhones() {
        // A mapped field the org does not have: Salesforce refuses the lookup and repeats the statement.
        f.mapping = f.mapping.toBuilder().rule(FieldRule.builder(StandardField.CITY.fieldName())
                .apiName("Mailing_Town__c").csvHeading("Mailing City").build()).build();
        Profile p = f.signUp("Ana", "Reyes", "ana.private@example.org", "+14155552671", OptInStatus.OPTED_IN);

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class, () -> f.connector().open(
                new DirectContext(f)).lookup(List.of(new LookupRequest(p.localId().orElseThrow(), p,
                        List.of(MatchKey.EMAIL, MatchKey.PHONE)))));

        assertThat(f.sf.queries()).singleElement().asString().contains("ana.private@example.org");
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_MAPPING);
        assertThat(e.getMessage()).contains("INVALID_FIELD").contains("No such column 'Mailing_Town__c'")
                .doesNotContain("ana.private").doesNotContain("4155552671").doesNotContain("555-2671")
                .doesNotContain("SELECT").doesNotContain("WHERE");
    }

    @Test
    void checkboxValuesMayBeTrueFalseOneZeroYesNoAndAnythingElseFailsItsRecordAlone() {
        List<String> ids = new ArrayList<>();
        for (boolean before : List.of(false, false, true, true, true)) {
            Map<String, Object> c = SalesforceFixture.contact("Ana", "Reyes", null, null, true);
            c.put("HasOptedOutOfEmail", before);
            ids.add(f.sf.addContact(c));
        }
        ConnectorSession session = f.connector().open(new DirectContext(f));
        session.preflight();

        List<WriteResult> results = session.write(List.of(
                RemoteWrite.update("a", ids.get(0), Map.of("HasOptedOutOfEmail", "1"), OptInStatus.UNKNOWN),
                RemoteWrite.update("b", ids.get(1), Map.of("HasOptedOutOfEmail", "YES"), OptInStatus.UNKNOWN),
                RemoteWrite.update("c", ids.get(2), Map.of("HasOptedOutOfEmail", "No"), OptInStatus.UNKNOWN),
                RemoteWrite.update("d", ids.get(3), Map.of("HasOptedOutOfEmail", "0"), OptInStatus.UNKNOWN),
                RemoteWrite.update("e", ids.get(4), Map.of("HasOptedOutOfEmail", "Y"), OptInStatus.UNKNOWN)));

        List<Object> after = ids.stream().map(id -> f.sf.contact(id).orElseThrow().get("HasOptedOutOfEmail")).toList();
        assertThat(after).containsExactly(true, true, false, false, true); // e's opt-out kept
        WriteResult failed = results.stream().filter(r -> r.key().equals("e")).findFirst().orElseThrow();
        assertThat(failed.status()).isEqualTo(WriteResult.Status.FAILED);
        assertThat(failed.errorCode()).contains("INVALID_CHECKBOX_VALUE");
        assertThat(failed.message()).contains("'Y'").contains("HasOptedOutOfEmail");
        assertThat(failed.retryable()).isFalse();
        assertThat(results).filteredOn(r -> r.status() == WriteResult.Status.UPDATED).hasSize(4);
        assertThat(f.sf.requests(Kind.UPDATE)).isEqualTo(1);
    }

    @Test
    void aValueLongerThanItsSalesforceFieldFailsItsRecordAloneNamingTheFieldAndLimitAndIsNeverSent() {
        String huge = "x".repeat(10 * 1024 * 1024); // a 10 MB first name
        Profile tooLong = f.signUp(huge, "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        Profile oneOver = f.signUp("y".repeat(41), "Ode", "ben@example.org", "+14155552672", OptInStatus.OPTED_IN);
        f.signUp("z".repeat(40), "Cruz", "cy@example.org", "+14155552673", OptInStatus.OPTED_IN);
        // Lengths count Unicode characters: 40 emoji are 80 UTF-16 chars but fit FirstName's 40.
        f.signUp("\uD83D\uDE00".repeat(40), "Diaz", "di@example.org", "+14155552674", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(2);
        assertThat(report.rows()).filteredOn(r -> r.outcome() == Outcome.FAILED).hasSize(2).allSatisfy(r -> {
            assertThat(r.reason()).isEqualTo(Reason.VALIDATION_ERROR);
            assertThat(r.message()).startsWith("STRING_TOO_LONG: ").contains("FirstName").contains("at most 40")
                    .doesNotContain("xxxxxxxxxx").doesNotContain("yyyyyyyyyy").hasSizeLessThan(300);
        });
        assertThat(report.rows()).filteredOn(r -> r.localId().equals(tooLong.localId())).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("10,485,760 characters"));
        assertThat(report.rows()).filteredOn(r -> r.localId().equals(oneOver.localId())).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("41 characters"));
        assertThat(f.sf.contactCount()).isEqualTo(2);
        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(1);
        assertThat(f.sf.largestWriteBody()).isLessThan(10_000); // the long values never left
        assertThat(f.profile(tooLong.localId().orElseThrow()).constituentId()).isEmpty();
    }

    @Test
    void anEmailTooLongForSalesforceIsNotLookedUpAndFailsItsRecordWithoutStoppingTheRun() {
        Profile huge = f.signUp("Ana", "Reyes", "a".repeat(100_000) + "@example.org", "+14155552671",
                OptInStatus.OPTED_IN);
        f.signUp("Ben", "Ode", "ben@example.org", "+14155552672", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1);
        assertThat(report.rows()).filteredOn(r -> r.localId().equals(huge.localId())).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.reason()).isEqualTo(Reason.VALIDATION_ERROR);
            assertThat(r.message()).contains("Email").contains("at most 80").doesNotContain("aaaaaaaaaa");
        });
        assertThat(f.sf.queries()).allSatisfy(q -> assertThat(q).doesNotContain("aaaaaaaaaa"));
    }

    @Test
    void emailsWithQuotesAndBackslashesAreLookedUpSafely() {
        String id = f.sf.addContact(SalesforceFixture.contact("Liam", "O'Brien", "o'brien\\x@example.org", null, false));
        f.signUp("Liam", "O'Brien", "o'brien\\x@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.sf.contactCount()).isEqualTo(1);
        assertThat(f.sf.queries().get(0)).contains("Email IN ('o\\'brien\\\\x@example.org')");
        assertThat(f.profiles().get(0).constituentId()).contains(id);
    }

    @Test
    void anOptOutSetsTheOptInFieldToFalse() {
        Profile p = f.signUp("Ana", "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        String id = f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();

        f.appUpdate(f.profile(p.localId().orElseThrow()).toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());
        SyncReport report = f.outbound();

        assertThat(report.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(f.sf.contact(id).orElseThrow()).containsEntry("Mobile_Subscriber__c", false);
        assertThat(f.sf.requests(Kind.UPDATE)).isEqualTo(1);
    }

    @Test
    void liberalSyncPushesChangedFieldsAndClearsEmptiedOnes() {
        Profile p = f.signUp("Ana", "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        p = f.appUpdate(p.toBuilder().city("Austin").build());
        f.outbound();
        String id = f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();
        assertThat(f.sf.contact(id).orElseThrow()).containsEntry("MailingCity", "Austin");

        f.appUpdate(f.profile(p.localId().orElseThrow()).toBuilder().city("Dallas").build());
        f.outbound();

        assertThat(f.sf.contact(id).orElseThrow()).containsEntry("MailingCity", "Dallas")
                .containsEntry("Mobile_Subscriber__c", true);
    }

    @Test
    void fieldsWrittenOnlyWhenEmptyAreCheckedAgainstTheContactByItsId() {
        f.mapping = f.mapping.toBuilder().rule(FieldRule.builder(StandardField.CITY.fieldName()).apiName("MailingCity")
                .csvHeading("Mailing City").writeMode(WriteMode.ONLY_WHEN_EMPTY).build()).build();
        Profile p = f.signUp("Ana", "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        String id = f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();
        f.sf.updateContact(id, Map.of("MailingCity", "Austin"));
        f.sf.resetCounts();

        f.appUpdate(f.profile(p.localId().orElseThrow()).toBuilder().city("Dallas").firstName("Anna").build());
        SyncReport report = f.outbound();

        assertThat(report.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(f.sf.queries()).singleElement().asString().contains("WHERE Id IN ('" + id + "')");
        assertThat(f.sf.contact(id).orElseThrow()).containsEntry("MailingCity", "Austin")
                .containsEntry("FirstName", "Anna");
    }

    @Test
    void perRecordErrorsAreReadFromStatusCodeAndTheOthersLand() {
        f.signUp("Ana", "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.signUp("Bad", "Email", "not-an-email@nowhere", "+14155552672", OptInStatus.OPTED_IN);
        f.signUp("Cy", "Lee", "cy@example.org", "+14155552673", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(1);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(2);
        RecordResult failed = report.rows(Outcome.FAILED).get(0);
        assertThat(failed.reason()).isEqualTo(Reason.VALIDATION_ERROR);
        assertThat(failed.message()).startsWith("INVALID_EMAIL_ADDRESS: ").contains("(fields Email)");
        assertThat(f.sf.contactCount()).isEqualTo(2);
    }

    @Test
    void writeReadsEachRecordsStatusCodeIncludingRequiredFieldMissing() {
        ConnectorSession session = f.connector().open(new DirectContext(f));
        session.preflight();

        List<WriteResult> results = session.write(List.of(
                RemoteWrite.create("a", Map.of("LastName", "Reyes", "Email", "a@example.org"), OptInStatus.OPTED_IN),
                RemoteWrite.create("b", Map.of("Email", "b@example.org"), OptInStatus.OPTED_IN),
                RemoteWrite.update("c", "003000000009999AAA", Map.of("MailingCity", "Austin"), OptInStatus.UNKNOWN)));

        assertThat(results).extracting(WriteResult::key).containsExactly("a", "b", "c");
        assertThat(results.get(0).status()).isEqualTo(WriteResult.Status.CREATED);
        assertThat(results.get(1).errorCode()).contains("REQUIRED_FIELD_MISSING");
        assertThat(results.get(1).message()).contains("LastName");
        assertThat(results.get(1).retryable()).isFalse();
        assertThat(results.get(2).errorCode()).contains("ENTITY_IS_DELETED");
    }

    @Test
    void aCrashBetweenTheCreateAndTheWriteBackDoesNotDuplicateTheContact() {
        List<Profile> people = signUps(3);
        f.sf.dropConnectionAfterNextWrite();

        SyncReport crashed = f.outbound();

        assertThat(crashed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(crashed.message()).contains("Salesforce may have applied the request");
        assertThat(f.sf.contactCount()).isEqualTo(3); // they landed; the answer was lost
        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(1); // a create is never resent blindly
        assertThat(f.profiles()).allSatisfy(p -> assertThat(p.constituentId()).isEmpty());

        SyncReport rerun = f.outbound();

        assertThat(rerun.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.sf.contactCount()).isEqualTo(3);
        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(1);
        for (Profile p : people) {
            String id = f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();
            assertThat(f.sf.contact(id).orElseThrow()).containsEntry("Email", p.email().orElseThrow());
        }
    }

    @Test
    void theDailyQuotaStopsTheRunAndTheNextRunFinishesTheWork() {
        signUps(300);
        // A day's quota of 4: login, describe, the batch's lookup (one Composite call) and the first of its
        // two Collections creates; the second would be the fifth call.
        f.policy = f.policy.toBuilder().dailyApiQuota(4).build();

        SyncReport first = f.outbound();

        assertThat(first.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(first.count(Outcome.CREATED)).isEqualTo(200);
        assertThat(first.count(Outcome.DEFERRED)).isEqualTo(100);
        assertThat(first.apiCallsUsed()).isEqualTo(4);
        assertThat(f.sf.contactCount()).isEqualTo(200);

        f.nextDay(); // describe, one lookup, one create: within the new day's quota
        SyncReport second = f.outbound();

        assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(second.count(Outcome.CREATED)).isEqualTo(100);
        assertThat(second.apiCallsUsed()).isEqualTo(3);
        assertThat(f.sf.contactCount()).isEqualTo(300);
        assertThat(f.profiles()).allSatisfy(p -> assertThat(p.constituentId()).isPresent());
    }

    @Test
    void theOrgsOwnLimitStopsTheRunBeforeSalesforceRefuses() {
        signUps(450);
        f.sf.apiLimit(3); // describe, the lookup, a create: then Sforce-Limit-Info says 3/3 (logins do not count)

        SyncReport first = f.outbound();

        assertThat(first.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(first.message()).contains("its own API limit");
        assertThat(f.sf.contactCount()).isEqualTo(200);
        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(1); // no call was refused by Salesforce

        f.sf.resetApiUsage();
        f.nextDay();
        f.sf.apiLimit(100);
        assertThat(f.outbound().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.sf.contactCount()).isEqualTo(450);
    }

    @Test
    void requestLimitExceededEndsTheRunAsDeferredWithoutRetrying() {
        signUps(3);
        f.sf.apiUsed(100);
        f.sf.apiLimit(100); // spent by other integrations before this run

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(report.message()).contains("REQUEST_LIMIT_EXCEEDED");
        assertThat(f.sf.requests(Kind.DESCRIBE)).isEqualTo(1);
        assertThat(f.sleeper.sleeps()).isEmpty();

        f.sf.resetApiUsage();
        f.nextDay();
        assertThat(f.outbound().count(Outcome.CREATED)).isEqualTo(3);
    }

    @Test
    void theConcurrentLongRunningRequestLimitIsWaitedOutAndTheCallsSentAgainNotTakenForTheDailyQuota() {
        signUps(3);
        // Other integrations hold the org at its limit of concurrent long-running requests for 3 seconds.
        f.sf.concurrentLimitReachedFor(Duration.ofSeconds(3));

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(3);
        assertThat(f.sf.contactCount()).isEqualTo(3);
        // The first call (describe) was refused, waited on (at least half of 5 s, then of 10 s) and sent again.
        assertThat(f.sf.concurrencyRefusals()).isBetween(1, 2);
        assertThat(f.sleeper.sleeps()).hasSize(f.sf.concurrencyRefusals())
                .allSatisfy(d -> assertThat(d).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(10)));
    }

    @Test
    void aConcurrentLimitThatDoesNotClearWithinTheAttemptsEndsTheRunForTheNextOneNotAsTheDailyQuota() {
        signUps(3);
        f.set(SalesforceConfig.CONCURRENT_LIMIT_ATTEMPTS, "3");
        f.sf.concurrentLimitReachedFor(Duration.ofHours(1));

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("ConcurrentPerOrgLongTxn").contains("concurrent long-running")
                .contains("3 attempts").contains("next run");
        assertThat(f.sf.concurrencyRefusals()).isEqualTo(3);
        assertThat(f.sleeper.sleeps()).hasSize(2);
        assertThat(f.sf.contactCount()).isZero();

        f.clock.advance(Duration.ofHours(1));
        assertThat(f.outbound().count(Outcome.CREATED)).isEqualTo(3);
    }

    @Test
    void requestLimitExceededOnTheLoginEndsTheRunAsQuotaReached() {
        signUps(3);
        f.sf.limitExceededNext(Kind.LOGIN, 1);

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.QUOTA_REACHED);
        assertThat(report.message()).contains("REQUEST_LIMIT_EXCEEDED").contains("login");
        assertThat(report.preflightProblems()).isEmpty();
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(1);
        assertThat(f.sf.requests(Kind.CREATE)).isZero();
        assertThat(f.sleeper.sleeps()).isEmpty();

        f.nextDay();
        assertThat(f.outbound().count(Outcome.CREATED)).isEqualTo(3);
    }

    @Test
    void aServerErrorOnACreateIsNotRetriedBlindlyButALookupIs() {
        signUps(2);
        f.sf.failNext(Kind.CREATE, 1);

        SyncReport failed = f.outbound();

        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.count(Outcome.FAILED)).isEqualTo(2);
        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(1);
        assertThat(f.sleeper.sleeps()).isEmpty();

        f.sf.failNext(Kind.COMPOSITE, 1);
        SyncReport retried = f.outbound();

        assertThat(retried.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(retried.count(Outcome.CREATED)).isEqualTo(2);
        // The lookup only reads, so its Composite POST is sent again: the first run's, the 503, its retry.
        assertThat(f.sf.requests(Kind.COMPOSITE)).isEqualTo(3);
        assertThat(f.sleeper.sleeps()).hasSize(1);
        assertThat(f.sf.contactCount()).isEqualTo(2);
    }

    @Test
    void aBatchWhoseLookupIsLongerThanOneSoqlStatementIsAskedInSeveralStatementsOfOneCompositeCall() {
        for (int i = 0; i < 400; i++) {
            // Emails as long as Salesforce's Email field takes (80): the batch's terms outgrow one statement.
            String email = String.format("a.rather.long.mailbox.name.for.testing.statement.limit.%03d@subdomain.example.org",
                    i);
            f.signUp("First" + i, "Last" + i, email, "+1415555" + (2000 + i), OptInStatus.OPTED_IN);
            if (i % 50 == 0) {
                f.sf.addContact(SalesforceFixture.contact("First" + i, "Last" + i, email, null, false));
            }
        }

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.sf.requests(Kind.COMPOSITE)).isEqualTo(1);
        assertThat(f.sf.requests(Kind.QUERY)).isZero();
        assertThat(f.sf.queries()).hasSizeBetween(2, 5).allSatisfy(q -> assertThat(q.length())
                .isLessThanOrEqualTo(SalesforceClient.LOOKUP_STATEMENT_CHARS));
        assertThat(report.count(Outcome.UPDATED)).isEqualTo(8); // found and linked, not duplicated
        assertThat(report.count(Outcome.CREATED)).isEqualTo(392);
        assertThat(f.sf.contactCount()).isEqualTo(400);
    }

    @Test
    void aDryRunLooksUpButWritesNothing() {
        signUps(3);

        SyncReport report = f.engine.run(f.job(SyncDirection.OUTBOUND).dryRun(true).build());

        assertThat(report.count(Outcome.CREATED)).isEqualTo(3);
        assertThat(f.sf.requests(Kind.COMPOSITE)).isEqualTo(1);
        assertThat(f.sf.requests(Kind.CREATE)).isZero();
        assertThat(f.sf.contactCount()).isZero();
    }

    @Test
    void pushingAThousandNewOptInsTakesTenCallsThreeLookupsAndFiveCollectionsCreates() {
        signUps(1000);

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(1000);
        assertThat(f.sf.contactCount()).isEqualTo(1000);
        System.out.println("Salesforce, 1,000 new opt-ins: " + f.sf.totalRequests() + " HTTP calls = "
                + f.sf.requests(Kind.LOGIN) + " login + " + f.sf.requests(Kind.DESCRIBE) + " describe + "
                + f.sf.requests(Kind.COMPOSITE) + " Composite lookups (" + f.sf.queries().size() + " SOQL statements) + "
                + f.sf.requests(Kind.CREATE) + " sObject Collections creates; the run's meter counted "
                + report.apiCallsUsed());
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(1);
        assertThat(f.sf.requests(Kind.DESCRIBE)).isEqualTo(1);
        // Batches of 400 (two Collections calls' worth): one Composite lookup each, every email and each
        // mobile in eleven spellings (PhoneVariants) in one statement per batch.
        assertThat(f.sf.requests(Kind.COMPOSITE)).isEqualTo(3);
        assertThat(f.sf.queries()).hasSize(3);
        assertThat(f.sf.requests(Kind.QUERY) + f.sf.requests(Kind.QUERY_MORE)).isZero();
        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(5);
        assertThat(f.sf.requests(Kind.UPDATE)).isZero();
        assertThat(report.apiCallsUsed()).isEqualTo(f.sf.totalRequests()).isEqualTo(10);
        assertThat(f.sf.apiUsage()).isEqualTo(9); // the org counts every call but the login
        assertThat(f.profiles()).allSatisfy(p -> assertThat(p.constituentId()).isPresent());
    }

    /** A thousand people created and linked by an earlier run, then opted out in the application. */
    private void aThousandLinkedPeopleOptOut() {
        signUps(1000);
        f.outbound();
        f.clock.advance(Duration.ofMinutes(5));
        for (Profile p : f.profiles()) {
            f.appUpdate(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());
        }
        f.sf.resetCounts();
    }

    @Test
    void optingOutAThousandLinkedContactsTakesSevenCallsAndNoLookup() {
        aThousandLinkedPeopleOptOut();
        f.reconnect(); // a login and a preflight of its own, as the first run of a day has

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.UPDATED)).isEqualTo(1000);
        assertThat(f.sf.contacts()).allSatisfy(c -> assertThat(c).containsEntry("Mobile_Subscriber__c", false));
        System.out.println("Salesforce, 1,000 opt-outs of linked contacts: " + f.sf.totalRequests() + " HTTP calls = "
                + f.sf.requests(Kind.LOGIN) + " login + " + f.sf.requests(Kind.DESCRIBE) + " describe + "
                + f.sf.requests(Kind.UPDATE) + " sObject Collections updates");
        assertThat(f.sf.requests(Kind.LOGIN)).isEqualTo(1);
        assertThat(f.sf.requests(Kind.DESCRIBE)).isEqualTo(1);
        // Linked by their constituent ID: nothing to look up, one Collections update per 200.
        assertThat(f.sf.requests(Kind.COMPOSITE) + f.sf.requests(Kind.QUERY)).isZero();
        assertThat(f.sf.requests(Kind.UPDATE)).isEqualTo(5);
        assertThat(report.apiCallsUsed()).isEqualTo(f.sf.totalRequests()).isEqualTo(7);
    }

    @Test
    void aRunWithinTheHourOfThePreflightRepeatsNeitherTheLoginNorTheDescribe() {
        aThousandLinkedPeopleOptOut(); // the same connector and job as the run that created them

        SyncReport report = f.outbound();

        assertThat(report.count(Outcome.UPDATED)).isEqualTo(1000);
        assertThat(f.sf.requests(Kind.LOGIN) + f.sf.requests(Kind.DESCRIBE)).isZero();
        assertThat(f.sf.requests(Kind.UPDATE)).isEqualTo(5);
        assertThat(report.apiCallsUsed()).isEqualTo(f.sf.totalRequests()).isEqualTo(5);
    }

    @Test
    void aThousandNewOptInsAreLinkedToContactsStoredUnderAnyOfElevenMobileSpellingsOrTheirEmailNotDuplicated() {
        List<Profile> people = signUps(1000);
        List<String> ids = new ArrayList<>();
        // People 0..109: a contact with another email and the mobile as one of its eleven spellings, ten of
        // each; people 110..159: a contact with the email in capitals and no mobile.
        for (int i = 0; i < 160; i++) {
            Profile p = people.get(i);
            String phone = i < 110 ? PhoneVariants.of(p.phoneNumber().orElseThrow()).get(i % 11) : null;
            String email = i < 110 ? "work" + i + "@example.org" : p.email().orElseThrow().toUpperCase(Locale.ROOT);
            ids.add(f.sf.addContact(SalesforceFixture.contact(p.firstName().orElseThrow(), p.lastName().orElseThrow(),
                    email, phone, false)));
        }
        assertThat(f.sf.contacts().stream().map(c -> c.get("MobilePhone")).filter(Objects::nonNull)
                .map(m -> ((String) m).replaceAll("[0-9]", "9")).distinct()).as("stored spellings").hasSize(11);

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.UPDATED)).isEqualTo(160);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(840);
        assertThat(f.sf.contactCount()).isEqualTo(1000);
        for (int i = 0; i < 160; i++) {
            assertThat(f.profile(people.get(i).localId().orElseThrow()).constituentId()).as("person %d", i)
                    .contains(ids.get(i));
        }
        // Still one lookup per batch of 400; the first batch's writes are 240 creates and 160 updates.
        assertThat(f.sf.requests(Kind.COMPOSITE)).isEqualTo(3);
        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(5);
        assertThat(f.sf.requests(Kind.UPDATE)).isEqualTo(1);
        assertThat(report.apiCallsUsed()).isEqualTo(11);
    }

    @Test
    void contactsCreatedByARunThatDiedBeforeTheWriteBackAreFoundAtOnceByTheNextRunNotCreatedAgain() {
        f.set(SalesforceConfig.CALLS_IN_FLIGHT, "1"); // one batch at a time: the run stops at the first
        signUps(1000);
        f.sf.dropConnectionAfterNextWrite(); // the first 200 land; the answer is lost, as in a crash

        SyncReport crashed = f.outbound();

        assertThat(crashed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(f.sf.contactCount()).isEqualTo(200);
        assertThat(f.profiles()).allSatisfy(p -> assertThat(p.constituentId()).isEmpty());

        SyncReport rerun = f.outbound(); // the same second: no index to wait for, SOQL sees them

        assertThat(rerun.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(rerun.count(Outcome.UPDATED)).isEqualTo(200);
        assertThat(rerun.count(Outcome.CREATED)).isEqualTo(800);
        assertThat(f.sf.contactCount()).isEqualTo(1000);
        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(1 + 4);
        assertThat(f.profiles()).allSatisfy(p -> assertThat(p.constituentId()).isPresent());
        assertThat(f.sf.contacts().stream().map(c -> c.get("Email")).distinct()).hasSize(1000);
    }

    @Test
    void withBatchesInFlightAWriteWhoseAnswerIsLostDuplicatesNothingAndTheOthersAreLinkedAtOnce() {
        List<Profile> people = signUps(1000); // three batches of 400, 400 and 200, in flight together
        f.sf.dropConnectionAfterNextWrite(); // one Collections create lands; its answer is lost

        SyncReport crashed = f.outbound();

        assertThat(crashed.status()).isEqualTo(RunStatus.FAILED);
        long linked = people.stream().filter(p -> f.profile(p.localId().orElseThrow()).constituentId().isPresent())
                .count();
        assertThat(crashed.count(Outcome.CREATED)).isEqualTo(linked);
        // Which create lost its answer depends on which came first; its 200 landed unlinked, and the rest
        // of its batch was not sent.
        assertThat(f.sf.contactCount() - linked).as("contacts whose answer was lost").isEqualTo(200);
        assertThat(crashed.count(Outcome.FAILED)).as("the lost answer's batch").isEqualTo(1000 - linked);

        SyncReport rerun = f.outbound();

        assertThat(rerun.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(f.sf.contactCount()).isEqualTo(1000);
        assertThat(f.sf.contacts().stream().map(c -> c.get("Email")).distinct()).hasSize(1000);
        assertThat(f.profiles()).allSatisfy(p -> assertThat(p.constituentId()).isPresent());
    }

    @Test
    void whenALaterCollectionsCallOfABatchFailsTheEarlierOnesRecordsKeepTheirIdsAndTheRestIsKeptForRetry() {
        List<Profile> people = signUps(400);
        f.sf.failNextAfter(Kind.CREATE, 1, 1); // the batch's second Collections create answers 503

        SyncReport first = f.outbound();

        assertThat(first.count(Outcome.CREATED)).isEqualTo(200);
        assertThat(first.rows(Outcome.FAILED)).hasSize(200).allSatisfy(r -> {
            assertThat(r.reason()).isEqualTo(Reason.PROCESSING_ERROR);
            assertThat(r.message()).contains("503");
        });
        assertThat(f.sf.contactCount()).isEqualTo(200);
        assertThat(people.subList(0, 200)).allSatisfy(p ->
                assertThat(f.profile(p.localId().orElseThrow()).constituentId()).isPresent());
        assertThat(f.state.pending("sf-out", SyncDirection.OUTBOUND)).hasSize(200);

        SyncReport retried = f.outbound();

        assertThat(retried.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(retried.count(Outcome.CREATED)).isEqualTo(200);
        assertThat(f.sf.contactCount()).isEqualTo(400);
        assertThat(f.profiles()).allSatisfy(p -> assertThat(p.constituentId()).isPresent());
    }
}
