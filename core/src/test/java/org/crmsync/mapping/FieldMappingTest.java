package org.crmsync.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.junit.jupiter.api.Test;

class FieldMappingTest {

    private static FieldRule.Builder rule(String localField, String apiName, String csvHeading) {
        return FieldRule.builder(localField).apiName(apiName).csvHeading(csvHeading);
    }

    private static Map<String, String> fields(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static CrmSyncException buildFails(FieldMapping.Builder builder) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(builder::build);
        assertThat(thrown).isInstanceOf(CrmSyncException.class);
        CrmSyncException e = (CrmSyncException) thrown;
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_MAPPING);
        return e;
    }

    // --- mapping cautions -------------------------------------------------------------------------

    @Test
    void markingPhoneNumberRequiredIsRefusedWithTheSeedsReason() {
        CrmSyncException e = buildFails(FieldMapping.builder()
                .rule(rule("phone_number", "Phone", "Phone").required(true).build()));

        assertThat(e.getMessage()).contains("phone_number may not be marked required")
                .contains("must by default exist in both databases");
    }

    @Test
    void markingEmailRequiredIsRefusedWithTheSeedsReason() {
        CrmSyncException e = buildFails(FieldMapping.defaults().toBuilder()
                .rule(rule("profile_email", "profile_email", "profile_email").required(true).build()));

        assertThat(e.getMessage()).contains("profile_email may not be marked required")
                .contains("must by default exist in both databases");
    }

    @Test
    void markingOptInStatusRequiredIsRefusedWithTheSeedsReason() {
        CrmSyncException e = buildFails(FieldMapping.builder()
                .rule(rule("opt_in_status", "OptIn", null).required(true).build()));

        assertThat(e.getMessage()).contains("opt_in_status may not be marked required")
                .contains("must by default exist in both databases");
    }

    @Test
    void markingConstituentIdRequiredIsRefusedBecauseTheCrmProvidesIt() {
        CrmSyncException e = buildFails(FieldMapping.builder()
                .rule(rule("constituent_id", "Id", "Id").required(true).build()));

        assertThat(e.getMessage()).contains("constituent_id may not be marked required")
                .contains("provided by the CRM")
                .doesNotContain("must by default exist in both databases");
    }

    @Test
    void otherFieldsMayBeMarkedRequired() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("profile_last_name", "LastName", "Last Name").required(true).build())
                .rule(rule("constituent_id", "Id", "Id").build())
                .build();

        assertThat(mapping.rule(StandardField.LAST_NAME)).hasValueSatisfying(r -> assertThat(r.required()).isTrue());
    }

    @Test
    void everyProblemIsReportedAtOnceInOneException() {
        CrmSyncException e = buildFails(FieldMapping.builder()
                .rule(rule("phone_number", "Phone", "Phone").required(true).build())
                .rule(rule("profile_email", "Email", "Email").required(true).build())
                .rule(rule("opt_in_status", "OptIn", "Opt In").required(true).build())
                .rule(rule("constituent_id", "Id", "Id").required(true).build())
                .rule(rule("nickname", "Email", "Nick").build())
                .rule(rule("school", "School", "Opt In").build()));

        assertThat(e.getMessage())
                .contains("phone_number may not be marked required")
                .contains("profile_email may not be marked required")
                .contains("opt_in_status may not be marked required")
                .contains("constituent_id may not be marked required")
                .contains("API field name 'Email' is mapped by more than one field")
                .contains("CSV heading 'Opt In' is mapped by more than one field");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void twoRulesWithTheSameApiNameAreRefused() {
        CrmSyncException e = buildFails(FieldMapping.builder()
                .rule(rule("profile_first_name", "Name", "First").build())
                .rule(rule("profile_last_name", "Name", "Last").build()));

        assertThat(e.getMessage()).contains("API field name 'Name' is mapped by more than one field")
                .doesNotContain("CSV heading");
    }

    @Test
    void twoRulesWithTheSameCsvHeadingAreRefused() {
        CrmSyncException e = buildFails(FieldMapping.builder()
                .rule(rule("profile_first_name", "FirstName", "Name").build())
                .rule(rule("profile_last_name", "LastName", "Name").build()));

        assertThat(e.getMessage()).contains("CSV heading 'Name' is mapped by more than one field")
                .doesNotContain("API field name");
    }

    @Test
    void aLaterRuleForTheSameLocalFieldReplacesTheEarlierOne() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("profile_email", "Email", null).build())
                .rule(rule("profile_email", "EmailAddress", null).build())
                .build();

        assertThat(mapping.rules()).hasSize(1);
        assertThat(mapping.apiNames()).containsExactly("EmailAddress");
    }

    // --- toLocal --------------------------------------------------------------------------------

    private static FieldMapping apiAndCsvMapping() {
        return FieldMapping.builder()
                .rule(rule("profile_first_name", "FirstName", "First Name").build())
                .rule(rule("profile_email", "Email", "Email Address").build())
                .rule(rule("school", "School__c", null).build())
                .rule(rule("grade", null, "Grade").build())
                .build();
    }

    @Test
    void toLocalReadsApiRecordsByApiName() {
        InboundValues in = apiAndCsvMapping().toLocal(fields(
                "FirstName", "Ada", "Email", "ada@example.org", "School__c", "Central",
                "First Name", "not-this", "Grade", "12"), RecordSource.API);

        assertThat(in.values()).containsOnly(
                Map.entry("profile_first_name", "Ada"),
                Map.entry("profile_email", "ada@example.org"),
                Map.entry("school", "Central"));
        assertThat(in.problems()).isEmpty();
        assertThat(in.missingRequired()).isEmpty();
    }

    @Test
    void toLocalReadsExportFileRowsByCsvHeading() {
        InboundValues in = apiAndCsvMapping().toLocal(fields(
                "First Name", "Ada", "Email Address", "ada@example.org", "Grade", "12",
                "FirstName", "not-this", "School__c", "Central"), RecordSource.EXPORT_FILE);

        assertThat(in.values()).containsOnly(
                Map.entry("profile_first_name", "Ada"),
                Map.entry("profile_email", "ada@example.org"),
                Map.entry("grade", "12"));
    }

    @Test
    void toLocalTrimsValues() {
        InboundValues in = apiAndCsvMapping().toLocal(fields("FirstName", "  Ada  "), RecordSource.API);

        assertThat(in.values()).containsEntry("profile_first_name", "Ada");
    }

    @Test
    void aBlankValueOfASkipRuleIsLeftOut() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("address_city", "City", null).blankHandling(BlankHandling.SKIP).build())
                .build();

        InboundValues in = mapping.toLocal(fields("City", "   "), RecordSource.API);

        assertThat(in.values()).isEmpty();
        assertThat(in.blanks()).isEmpty();
    }

    @Test
    void aBlankValueOfAClearRuleIsListedInBlanks() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("address_city", "City", null).blankHandling(BlankHandling.CLEAR).build())
                .rule(rule("address_street_2", "Street2", null).blankHandling(BlankHandling.CLEAR).build())
                .rule(rule("state", "State", null).blankHandling(BlankHandling.CLEAR).build())
                .build();

        Map<String, String> remote = fields("City", "", "State", "NY");
        remote.put("Street2", null);
        InboundValues in = mapping.toLocal(remote, RecordSource.API);

        assertThat(in.blanks()).containsExactlyInAnyOrder("address_city", "address_street_2");
        assertThat(in.values()).containsOnly(Map.entry("state", "NY"));
    }

    @Test
    void aClearRuleWhoseFieldIsAbsentFromTheRecordIsNotABlank() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("address_city", "City", null).blankHandling(BlankHandling.CLEAR).build())
                .build();

        InboundValues in = mapping.toLocal(Map.of(), RecordSource.API);

        assertThat(in.blanks()).isEmpty();
    }

    @Test
    void requiredFieldsWithoutAValueAreListedAsMissingInMappingOrder() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("profile_first_name", "FirstName", null).required(true).build())
                .rule(rule("profile_last_name", "LastName", null).required(true).build())
                .rule(rule("address_city", "City", null).required(true).build())
                .rule(rule("grade", null, "Grade").required(true).build())
                .build();

        InboundValues in = mapping.toLocal(fields("LastName", " ", "City", "Albany"), RecordSource.API);

        assertThat(in.missingRequired()).containsExactly("profile_first_name", "profile_last_name", "grade");
        assertThat(in.values()).containsOnly(Map.entry("address_city", "Albany"));
    }

    @Test
    void aConverterErrorBecomesAProblemNamingTheField() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("opt_in_status", "Opted_In__c", "Opted In").converter(ValueConverter.yesNo("Yes", "No"))
                        .build())
                .rule(rule("profile_first_name", "FirstName", null).build())
                .build();

        InboundValues in = mapping.toLocal(fields("Opted_In__c", "maybe", "FirstName", "Ada"), RecordSource.API);

        assertThat(in.problems()).singleElement().asString()
                .contains("Opted_In__c")
                .contains("opt_in_status")
                .contains("'maybe' is not a yes/no value");
        assertThat(in.values()).containsOnly(Map.entry("profile_first_name", "Ada"));
    }

    @Test
    void aConverterThatReturnsNothingCountsAsBlank() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("opt_in_status", "OptIn", null).converter(ValueConverter.yesNo("Yes", "No"))
                        .blankHandling(BlankHandling.CLEAR).build())
                .build();

        InboundValues in = mapping.toLocal(fields("OptIn", "unknown"), RecordSource.API);

        assertThat(in.values()).isEmpty();
        assertThat(in.blanks()).containsExactly("opt_in_status");
        assertThat(in.problems()).isEmpty();
    }

    @Test
    void defaultMappingConvertsTheRemoteOptInToTheLocalSpelling() {
        InboundValues in = FieldMapping.defaults().toLocal(fields("opt_in_status", "TRUE", "phone_number",
                "+15555550123"), RecordSource.EXPORT_FILE);

        assertThat(in.values()).containsEntry("opt_in_status", "true").containsEntry("phone_number", "+15555550123");
    }

    // --- toRemote -------------------------------------------------------------------------------

    private static final Profile ADA = Profile.builder().localId("L-1").constituentId("003A").firstName("Ada")
            .lastName("Lovelace").email("ada@example.org").city("London").optInStatus(OptInStatus.OPTED_IN)
            .build();

    private static FieldMapping writeModes() {
        return FieldMapping.builder()
                .rule(rule("profile_first_name", "FirstName", null).writeMode(WriteMode.ALWAYS).build())
                .rule(rule("local_id", "SONIS_ID", null).writeMode(WriteMode.ONLY_WHEN_EMPTY).build())
                .rule(rule("address_city", "City", null).writeMode(WriteMode.NEVER).build())
                .build();
    }

    @Test
    void aWritesIdentityIsTheProfilesMobileAndEmailByApiNameWhateverTheirWriteModes() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("phone_number", "MobilePhone", null).writeMode(WriteMode.NEVER).build())
                .rule(rule("profile_email", "Email", null).writeMode(WriteMode.ONLY_WHEN_EMPTY).build())
                .rule(rule("profile_first_name", "FirstName", null).build())
                .build();
        Profile ada = ADA.toBuilder().phoneNumber("+14155550123").build();

        assertThat(mapping.identityOf(ada)).containsExactly(Map.entry("MobilePhone", "+14155550123"),
                Map.entry("Email", "ada@example.org"));
        assertThat(mapping.toRemote(ada, Map.of("Email", "old@example.org"), false, f -> true))
                .as("the identity is not a write").containsOnlyKeys("FirstName");
        assertThat(mapping.identityOf(ADA)).as("no phone, no phone in the identity")
                .containsOnlyKeys("Email");
    }

    @Test
    void onCreateAlwaysAndOnlyWhenEmptyFieldsAreWrittenAndNeverFieldsAreNot() {
        Map<String, String> out = writeModes().toRemote(ADA, Map.of("SONIS_ID", "L-OLD"), true, f -> true);

        assertThat(out).containsExactly(Map.entry("FirstName", "Ada"), Map.entry("SONIS_ID", "L-1"));
    }

    @Test
    void onUpdateAnOnlyWhenEmptyFieldIsWrittenWhileTheRemoteValueIsBlank() {
        assertThat(writeModes().toRemote(ADA, Map.of(), false, f -> true))
                .containsEntry("SONIS_ID", "L-1");
        assertThat(writeModes().toRemote(ADA, Map.of("SONIS_ID", "  "), false, f -> true))
                .containsEntry("SONIS_ID", "L-1");
    }

    @Test
    void onUpdateAnOnlyWhenEmptyFieldIsNotWrittenOverARemoteValue() {
        Map<String, String> out = writeModes().toRemote(ADA, Map.of("SONIS_ID", "L-OLD", "FirstName", "Augusta"),
                false, f -> true);

        assertThat(out).containsExactly(Map.entry("FirstName", "Ada"));
    }

    @Test
    void aNeverFieldIsNotWrittenEvenWhenTheRemoteIsEmpty() {
        assertThat(writeModes().toRemote(ADA, Map.of(), false, f -> true)).doesNotContainKey("City");
        assertThat(writeModes().toRemote(ADA, Map.of(), true, f -> true)).doesNotContainKey("City");
    }

    @Test
    void aBlankLocalValueOfAClearRuleSendsAnEmptyStringOnlyOnUpdate() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("address_street_2", "Street2", null).blankHandling(BlankHandling.CLEAR).build())
                .rule(rule("state", "State", null).blankHandling(BlankHandling.SKIP).build())
                .build();

        assertThat(mapping.toRemote(ADA, Map.of("Street2", "Flat 2", "State", "NY"), false, f -> true))
                .containsExactly(Map.entry("Street2", ""));
        assertThat(mapping.toRemote(ADA, Map.of(), true, f -> true)).isEmpty();
    }

    @Test
    void theConstituentIdIsNeverWrittenAsAField() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("constituent_id", "Id", "Id").build())
                .rule(rule("profile_email", "Email", null).build())
                .build();

        assertThat(mapping.toRemote(ADA, Map.of(), true, f -> true)).containsOnlyKeys("Email");
        assertThat(mapping.toRemote(ADA, Map.of(), false, f -> true)).containsOnlyKeys("Email");
    }

    @Test
    void onlyFieldsTheIncludePredicateAcceptsAreWritten() {
        Map<String, String> out = FieldMapping.defaults().toRemote(ADA, Map.of(), false,
                Set.of("profile_email", "opt_in_status")::contains);

        assertThat(out).containsOnly(Map.entry("profile_email", "ada@example.org"),
                Map.entry("opt_in_status", "true"));
    }

    @Test
    void aCsvOnlyRuleIsNeverWritten() {
        FieldMapping mapping = FieldMapping.builder().rule(rule("profile_first_name", null, "First").build()).build();

        assertThat(mapping.toRemote(ADA, Map.of(), true, f -> true)).isEmpty();
    }

    @Test
    void toRemoteConvertsWithTheRulesConverter() {
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("opt_in_status", "Opted_In__c", null).converter(ValueConverter.yesNo("Yes", "No")).build())
                .build();

        assertThat(mapping.toRemote(ADA, Map.of(), true, f -> true)).containsExactly(Map.entry("Opted_In__c", "Yes"));
        Profile out = ADA.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build();
        assertThat(mapping.toRemote(out, Map.of(), true, f -> true)).containsExactly(Map.entry("Opted_In__c", "No"));
    }

    @Test
    void aConverterErrorOnTheWayOutNamesTheFieldAndTheApiName() {
        ValueConverter failing = new ValueConverter() {
            @Override
            public java.util.Optional<String> toLocal(String remoteValue) {
                return java.util.Optional.of(remoteValue);
            }

            @Override
            public java.util.Optional<String> toRemote(String localValue) {
                throw new IllegalArgumentException("not a year");
            }
        };
        FieldMapping mapping = FieldMapping.builder()
                .rule(rule("graduation_year", "GradDate", null).converter(failing).build())
                .build();
        Profile p = Profile.builder().extraField("graduation_year", "soon").build();

        assertThatThrownBy(() -> mapping.toRemote(p, Map.of(), true, f -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("graduation_year")
                .hasMessageContaining("GradDate")
                .hasMessageContaining("not a year");
    }

    // --- ValueConverter.yesNo ------------------------------------------------------------------

    @Test
    void yesNoReadsTheRemoteSpellingsAndTheUsualOnes() {
        ValueConverter c = ValueConverter.yesNo("Yes", "No");

        assertThat(c.toLocal("Yes")).contains("true");
        assertThat(c.toLocal("no")).contains("false");
        assertThat(c.toLocal("1")).contains("true");
        assertThat(c.toLocal("false")).contains("false");
        assertThat(c.toLocal("unknown")).isEmpty();
    }

    @Test
    void yesNoWritesTheRemoteSpellings() {
        ValueConverter c = ValueConverter.yesNo("Yes", "No");

        assertThat(c.toRemote("true")).contains("Yes");
        assertThat(c.toRemote("false")).contains("No");
        assertThat(c.toRemote("unknown")).isEmpty();
    }

    @Test
    void yesNoRefusesAValueThatIsNeitherNamingTheExpectedSpellings() {
        ValueConverter c = ValueConverter.yesNo("Yes", "No");

        assertThatThrownBy(() -> c.toLocal("maybe"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'maybe' is not a yes/no value")
                .hasMessageContaining("Yes")
                .hasMessageContaining("No");
    }

    // --- defaults -------------------------------------------------------------------------------

    @Test
    void defaultsMapEveryStandardFieldButTheIdsToTheSeedsNamesOnBothSides() {
        FieldMapping defaults = FieldMapping.defaults();
        List<String> expected = Arrays.stream(StandardField.values())
                .filter(f -> f != StandardField.CONSTITUENT_ID && f != StandardField.LOCAL_ID)
                .map(StandardField::fieldName)
                .toList();

        assertThat(defaults.rules()).extracting(FieldRule::localField).containsExactlyElementsOf(expected);
        assertThat(defaults.apiNames()).containsExactlyElementsOf(expected);
        assertThat(defaults.csvHeadings()).containsExactlyElementsOf(expected);
        assertThat(defaults.rule(StandardField.CONSTITUENT_ID)).isEmpty();
        assertThat(defaults.rule(StandardField.LOCAL_ID)).isEmpty();
        assertThat(defaults.rules()).allSatisfy(r -> {
            assertThat(r.required()).isFalse();
            assertThat(r.writeMode()).isEqualTo(WriteMode.ALWAYS);
            assertThat(r.blankHandling()).isEqualTo(BlankHandling.SKIP);
        });
    }

    @Test
    void fieldRuleNeedsAnApiNameOrACsvHeading() {
        assertThatThrownBy(() -> FieldRule.builder("school").apiName(" ").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("school");
    }
}
