package org.crmsync.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.crmsync.mapping.FieldRule;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.salesforce.SalesforceSimulator.Kind;
import org.crmsync.spi.PreflightProblem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SalesforcePreflightTest {
    private final SalesforceFixture f = new SalesforceFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private List<PreflightProblem> preflight() {
        return f.connector().open(new DirectContext(f)).preflight();
    }

    @Test
    void theDefaultMappingPassesAgainstAStandardOrg() {
        assertThat(preflight()).isEmpty();
        assertThat(f.sf.requests(Kind.DESCRIBE)).isEqualTo(1);
    }

    @Test
    void missingAndReadOnlyFieldsAndANonBooleanOptInAreAllReportedBeforeAnyRecordMoves() {
        f.sf.removeField("MailingCity");
        f.sf.readOnly("MailingState");
        f.sf.fieldType("Mobile_Subscriber__c", "string");
        f.signUp("Ana", "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
        assertThat(report.preflightProblems()).hasSize(3);
        assertThat(String.join("\n", report.preflightProblems()))
                .contains("MailingCity: no such field on Contact (mapped from address_city)")
                .contains("MailingState: cannot be written by the integration user")
                .contains("Mobile_Subscriber__c: the mobile opt-in field must be a checkbox (boolean) field;"
                        + " in Salesforce it is of type string");
        assertThat(f.sf.requests(Kind.QUERY)).isZero();
        assertThat(f.sf.requests(Kind.CREATE)).isZero();
    }

    @Test
    void anInboundJobOnlyReadsSoAReadOnlyMappedFieldIsNoProblemThere() {
        f.sf.readOnly("MailingState");

        SyncReport report = f.inbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.preflightProblems()).isEmpty();
    }

    @Test
    void fieldNamesAreCaseSensitiveAndTheProblemSaysHowSalesforceSpellsThem() {
        f.mapping = f.mapping.toBuilder().rule(FieldRule.builder(StandardField.EMAIL.fieldName()).apiName("email")
                .csvHeading("Email").build()).build();

        assertThat(preflight()).extracting(PreflightProblem::toString).singleElement().asString()
                .contains("email: no such field on Contact").contains("Salesforce spells it Email");
    }

    @Test
    void theOptInSettingAndTheMappingMustNameTheSameField() {
        f.set(SalesforceConfig.OPT_IN_FIELD, "SMS_Opt_In__c");

        assertThat(preflight()).extracting(PreflightProblem::subject).containsExactly("Mobile_Subscriber__c");

        f.mapping = f.connector().defaultMapping();
        assertThat(preflight()).extracting(PreflightProblem::toString).singleElement().asString()
                .contains("SMS_Opt_In__c: no such field on Contact").contains("__c");
    }

    @Test
    void theSourceFieldMustExistOrBeSwitchedOff() {
        f.set(SalesforceConfig.SOURCE_FIELD, "Origin__c");
        assertThat(preflight()).extracting(PreflightProblem::subject).containsExactly("Origin__c");

        f.set(SalesforceConfig.SOURCE_FIELD, "none");
        assertThat(preflight()).isEmpty();
        Profile p = f.signUp("Ana", "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        f.outbound();
        String id = f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();
        assertThat(f.sf.contact(id).orElseThrow()).doesNotContainKey("LeadSource");
    }

    @Test
    void aRestrictedSourcePicklistMustOfferThePolicysSourceCode() {
        f.sf.restrictPicklist("LeadSource", "Web", "Phone Inquiry", "Other");
        f.sf.inactivePicklistValue("LeadSource", "Mobile Commons");

        assertThat(preflight()).extracting(PreflightProblem::toString).singleElement().asString()
                .startsWith("LeadSource: ").contains("restricted picklist").contains("'Mobile Commons'")
                .contains("Web, Phone Inquiry, Other").doesNotContain("Partner Referral");
        f.signUp("Ana", "Reyes", "ana@example.org", "+14155552671", OptInStatus.OPTED_IN);
        assertThat(f.outbound().status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
        assertThat(f.sf.requests(Kind.CREATE)).isZero();
        // An inbound job writes no source code.
        assertThat(f.inbound().status()).isEqualTo(RunStatus.COMPLETED);

        f.policy = f.policy.toBuilder().sourceCode("web").build();
        assertThat(preflight()).extracting(PreflightProblem::toString).singleElement().asString()
                .contains("Salesforce spells it Web");

        f.policy = f.policy.toBuilder().sourceCode("Web").build();
        assertThat(preflight()).isEmpty();
        SyncReport report = f.outbound();
        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        String id = f.profiles().get(0).constituentId().orElseThrow();
        assertThat(f.sf.contact(id).orElseThrow()).containsEntry("LeadSource", "Web");
    }
}
