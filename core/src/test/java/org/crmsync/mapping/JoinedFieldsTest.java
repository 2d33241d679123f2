package org.crmsync.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.crmsync.model.Profile;
import org.junit.jupiter.api.Test;

class JoinedFieldsTest {
    private final FieldMapping mapping = FieldMapping.builder()
            .rule(FieldRule.builder("address_street_1").apiName("Home Address")
                    .joinWith(", ", "address_street_2", "address_line_3").build())
            .build();

    @Test
    void threeAddressLinesAreJoinedIntoOneRemoteFieldSkippingBlanks() {
        Profile p = Profile.builder().street1("12 Elm St").street2("").extraField("address_line_3", "Apt 4").build();

        assertThat(mapping.toRemote(p, Map.of(), true, f -> true)).containsExactly(Map.entry("Home Address",
                "12 Elm St, Apt 4"));
    }

    @Test
    void aChangeInAnyJoinedFieldRewritesTheRemoteField() {
        Profile p = Profile.builder().street1("12 Elm St").street2("Floor 2").build();

        assertThat(mapping.toRemote(p, Map.of(), false, "address_street_2"::equals))
                .containsEntry("Home Address", "12 Elm St, Floor 2");
        assertThat(mapping.toRemote(p, Map.of(), false, "address_city"::equals)).isEmpty();
    }

    @Test
    void readingTheJoinedFieldBackSplitsItIntoTheSameFields() {
        assertThat(mapping.toLocal(Map.of("Home Address", "12 Elm St, Floor 2, Apt 4"), RecordSource.API).values())
                .containsEntry("address_street_1", "12 Elm St").containsEntry("address_street_2", "Floor 2")
                .containsEntry("address_line_3", "Apt 4");
        assertThat(mapping.toLocal(Map.of("Home Address", "1 Main St"), RecordSource.API).values())
                .containsExactly(Map.entry("address_street_1", "1 Main St"));
    }
}
