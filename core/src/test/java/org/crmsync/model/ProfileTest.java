package org.crmsync.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileTest {
    private static final Instant T0 = Instant.parse("2026-03-02T06:00:00Z");

    private static Profile ada() {
        return Profile.builder()
                .localId("L-1")
                .constituentId("003A000001")
                .phoneNumber("+15555550123")
                .firstName("Ada")
                .lastName("Lovelace")
                .email("ada@example.org")
                .street1("12 St James's Square")
                .street2("Flat 2")
                .city("London")
                .state("NY")
                .postalCode("10001")
                .country("US")
                .optInStatus(OptInStatus.OPTED_IN)
                .extraField("school", "Central High")
                .lastModified(T0)
                .build();
    }

    @Test
    void builderSetsEveryField() {
        Profile p = ada();

        assertThat(p.localId()).contains("L-1");
        assertThat(p.constituentId()).contains("003A000001");
        assertThat(p.phoneNumber()).contains("+15555550123");
        assertThat(p.firstName()).contains("Ada");
        assertThat(p.lastName()).contains("Lovelace");
        assertThat(p.email()).contains("ada@example.org");
        assertThat(p.street1()).contains("12 St James's Square");
        assertThat(p.street2()).contains("Flat 2");
        assertThat(p.city()).contains("London");
        assertThat(p.state()).contains("NY");
        assertThat(p.postalCode()).contains("10001");
        assertThat(p.country()).contains("US");
        assertThat(p.optInStatus()).isEqualTo(OptInStatus.OPTED_IN);
        assertThat(p.extraFields()).containsExactly(Map.entry("school", "Central High"));
        assertThat(p.lastModified()).contains(T0);
    }

    @Test
    void anEmptyProfileHasNoValuesAndAnUnknownOptIn() {
        Profile p = Profile.builder().build();

        assertThat(p.phoneNumber()).isEmpty();
        assertThat(p.email()).isEmpty();
        assertThat(p.optInStatus()).isEqualTo(OptInStatus.UNKNOWN);
        assertThat(p.get(StandardField.OPT_IN_STATUS)).isEmpty();
        assertThat(p.lastModified()).isEmpty();
        assertThat(p.asFieldMap()).isEmpty();
    }

    @Test
    void toBuilderCopiesEverythingAndChangesOnlyTheCopy() {
        Profile original = ada();

        Profile same = original.toBuilder().build();
        Profile changed = original.toBuilder().city("Paris").extraField("grade", "12").build();

        assertThat(same).isEqualTo(original);
        assertThat(changed.city()).contains("Paris");
        assertThat(changed.extraFields()).containsOnlyKeys("school", "grade");
        assertThat(changed.email()).contains("ada@example.org");
        assertThat(original.city()).contains("London");
        assertThat(original.extraFields()).containsOnlyKeys("school");
    }

    @Test
    void valuesAreTrimmed() {
        Profile p = Profile.builder().firstName("  Ada ").email(" ada@example.org\t").build();

        assertThat(p.firstName()).contains("Ada");
        assertThat(p.email()).contains("ada@example.org");
    }

    @Test
    void aBlankValueClearsAField() {
        Profile p = ada().toBuilder().email("").city("   ").street2(null).extraField("school", " ").build();

        assertThat(p.email()).isEmpty();
        assertThat(p.city()).isEmpty();
        assertThat(p.street2()).isEmpty();
        assertThat(p.extraFields()).isEmpty();
        assertThat(p.asFieldMap()).doesNotContainKeys("profile_email", "address_city", "address_street_2", "school");
    }

    @Test
    void standardFieldsAreReadAndWrittenByTheirFieldNames() {
        Profile p = Profile.builder()
                .set("phone_number", "+15555550123")
                .set("profile_first_name", "Ada")
                .set("profile_email", "ada@example.org")
                .set("address_postal_code", "10001")
                .set("constituent_id", "003A")
                .set("local_id", "L-1")
                .build();

        assertThat(p.phoneNumber()).contains("+15555550123");
        assertThat(p.get("phone_number")).contains("+15555550123");
        assertThat(p.get("profile_first_name")).contains("Ada");
        assertThat(p.get("profile_email")).contains("ada@example.org");
        assertThat(p.get(StandardField.POSTAL_CODE)).contains("10001");
        assertThat(p.constituentId()).contains("003A");
        assertThat(p.localId()).contains("L-1");
        assertThat(p.extraFields()).isEmpty();
    }

    @Test
    void otherNamesAreExtraFields() {
        Profile p = Profile.builder().set("graduation_year", "2027").set("SONIS_ID", "S-100").build();

        assertThat(p.extraFields()).containsExactly(Map.entry("SONIS_ID", "S-100"),
                Map.entry("graduation_year", "2027"));
        assertThat(p.get("graduation_year")).contains("2027");
        assertThat(p.get("not_set")).isEmpty();
    }

    @Test
    void asFieldMapListsStandardFieldsFirstThenExtraFields() {
        Map<String, String> m = ada().asFieldMap();

        assertThat(m).containsEntry("opt_in_status", "true").containsEntry("school", "Central High");
        assertThat(m.keySet()).startsWith("phone_number").endsWith("school");
    }

    @Test
    void anExtraFieldMayNotUseAStandardFieldsNameOrOddCharacters() {
        assertThatThrownBy(() -> Profile.builder().extraField("profile_email", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'profile_email' is a standard field");
        assertThatThrownBy(() -> Profile.builder().extraField("my field", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'my field'");
    }

    @Test
    void optInStatusIsSetFromItsUsualSpellings() {
        assertThat(Profile.builder().set("opt_in_status", "Yes").build().optInStatus())
                .isEqualTo(OptInStatus.OPTED_IN);
        assertThat(Profile.builder().set("opt_in_status", "TRUE").build().optInStatus())
                .isEqualTo(OptInStatus.OPTED_IN);
        assertThat(Profile.builder().set("opt_in_status", "1").build().optInStatus())
                .isEqualTo(OptInStatus.OPTED_IN);
        assertThat(Profile.builder().set("opt_in_status", "no").build().optInStatus())
                .isEqualTo(OptInStatus.OPTED_OUT);
        assertThat(Profile.builder().set("opt_in_status", "opted_out").build().optInStatus())
                .isEqualTo(OptInStatus.OPTED_OUT);
        assertThat(Profile.builder().optInStatus(OptInStatus.OPTED_IN).set("opt_in_status", "").build()
                .optInStatus()).isEqualTo(OptInStatus.UNKNOWN);
    }

    @Test
    void optInStatusReadsAsTrueOrFalseByName() {
        assertThat(ada().get("opt_in_status")).contains("true");
        assertThat(ada().toBuilder().optInStatus(OptInStatus.OPTED_OUT).build().get("opt_in_status"))
                .contains("false");
        assertThat(ada().toBuilder().optInStatus(OptInStatus.UNKNOWN).build().get("opt_in_status")).isEmpty();
    }

    @Test
    void anOptInValueThatIsNotYesOrNoIsRefused() {
        assertThatThrownBy(() -> Profile.builder().set("opt_in_status", "maybe"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("opt_in_status")
                .hasMessageContaining("'maybe'");
    }

    @Test
    void aPhoneNumberThatIsNotE164IsRefusedWithoutQuotingIt() {
        String[] bad = {"212-867-5309", "12128675309", "+1 212 867 5309", "+02128675309", "+1234", "+1212867530912345"};
        for (String phone : bad) {
            Throwable e = catchThrowable(() -> Profile.builder().phoneNumber(phone).build());

            assertThat(e).as(phone).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("phone_number must be E.164");
            assertThat(e.getMessage()).as(phone).doesNotContain(phone);
        }
    }

    @Test
    void anE164PhoneNumberIsAccepted() {
        assertThat(Profile.builder().phoneNumber("+447911123456").build().phoneNumber()).contains("+447911123456");
    }

    @Test
    void toStringPrintsNoPersonalData() {
        String s = ada().toString();

        assertThat(s).contains("L-1").contains("003A000001").contains("OPTED_IN")
                .doesNotContain("ada@example.org")
                .doesNotContain("+15555550123")
                .doesNotContain("5555550123")
                .doesNotContain("Ada")
                .doesNotContain("Lovelace")
                .doesNotContain("London")
                .doesNotContain("10001")
                .doesNotContain("Central High");
    }

    @Test
    void profilesWithTheSameValuesAreEqualAndHashAlike() {
        Profile a = ada();
        Profile b = ada();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(a.toBuilder().email("other@example.org").build());
        assertThat(a).isNotEqualTo(a.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build());
        assertThat(a).isNotEqualTo(a.toBuilder().extraField("school", "West").build());
        assertThat(a).isNotEqualTo(a.toBuilder().lastModified(T0.plusSeconds(1)).build());
        assertThat(a).isNotEqualTo(null);
    }

    @Test
    void theProfilesMapsCannotBeChanged() {
        Profile p = ada();

        assertThatThrownBy(() -> p.extraFields().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void optInParseTreatsBlankAsUnknown() {
        assertThat(OptInStatus.parse(null)).contains(OptInStatus.UNKNOWN);
        assertThat(OptInStatus.parse("")).contains(OptInStatus.UNKNOWN);
        assertThat(OptInStatus.parse("  ")).contains(OptInStatus.UNKNOWN);
        assertThat(OptInStatus.parse("unknown")).contains(OptInStatus.UNKNOWN);
    }

    @Test
    void optInParseReadsTheUsualSpellingsInAnyCase() {
        for (String yes : new String[] {"true", "Yes", "Y", "1", "OPTED_IN", "subscribed", " yes "}) {
            assertThat(OptInStatus.parse(yes)).as(yes).contains(OptInStatus.OPTED_IN);
        }
        for (String no : new String[] {"FALSE", "no", "n", "0", "opted_out", "Unsubscribed"}) {
            assertThat(OptInStatus.parse(no)).as(no).contains(OptInStatus.OPTED_OUT);
        }
    }

    @Test
    void optInParseOfGarbageIsEmpty() {
        assertThat(OptInStatus.parse("maybe")).isEmpty();
        assertThat(OptInStatus.parse("2")).isEmpty();
        assertThat(OptInStatus.parse("yes please")).isEmpty();
    }

    @Test
    void optInFieldValueIsTrueFalseOrNothing() {
        assertThat(OptInStatus.OPTED_IN.fieldValue()).contains("true");
        assertThat(OptInStatus.OPTED_OUT.fieldValue()).contains("false");
        assertThat(OptInStatus.UNKNOWN.fieldValue()).isEmpty();
    }

    @Test
    void standardFieldsAreFoundByTheirSeedNames() {
        assertThat(StandardField.byName("profile_email")).contains(StandardField.EMAIL);
        assertThat(StandardField.byName("state")).contains(StandardField.STATE);
        assertThat(StandardField.byName("Email")).isEmpty();
    }

    @Test
    void withLocalIdIsTheSameProfileWithThatIdAndTimeAsTheBuilderWouldMakeIt() {
        Profile p = Profile.builder().firstName("Ann").email("ann@example.org").phoneNumber("+14155550100")
                .optInStatus(OptInStatus.OPTED_IN).extraField("school", "North").build();
        Instant at = Instant.parse("2026-12-02T10:00:00Z");

        Profile stored = p.withLocalId("L7", at);

        assertThat(stored).isEqualTo(p.toBuilder().localId("L7").lastModified(at).build());
        assertThat(stored.localId()).contains("L7");
        assertThat(p.localId()).isEmpty();
        assertThat(stored.withLocalId(null, at).localId()).isEmpty();
    }

    @Test
    void hasSaysWhatGetSaysForEveryStandardField() {
        Profile some = Profile.builder().firstName("Ann").phoneNumber("+14155550100").build();
        Profile optedIn = some.toBuilder().optInStatus(OptInStatus.OPTED_IN).build();
        for (Profile p : new Profile[] {some, optedIn}) {
            for (StandardField f : StandardField.values()) {
                assertThat(p.has(f)).as(f.name()).isEqualTo(p.get(f).isPresent());
            }
        }
    }
}
