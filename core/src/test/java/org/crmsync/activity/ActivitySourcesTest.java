package org.crmsync.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivitySourcesTest {
    private static final Instant AT = Instant.parse("2026-05-01T14:00:00Z");

    @TempDir
    Path dir;

    @Test
    void theInMemorySourceGivesActivitiesInOrderAfterASequenceAndRefusesAKeyTwice() {
        InMemoryActivitySource source = new InMemoryActivitySource();
        for (int i = 1; i <= 5; i++) {
            assertThat(source.add(Activity.of("c" + i, "call", "p1", AT, Map.of())).sequence()).isEqualTo(i);
        }

        assertThat(source.since(2, 2)).extracting(Activity::key).containsExactly("c3", "c4");
        assertThat(source.since(5, 10)).isEmpty();
        assertThat(source.lastSequence()).isEqualTo(5);
        assertThatThrownBy(() -> source.add(Activity.of("c2", "call", "p1", AT, Map.of())))
                .hasMessageContaining("c2 was already added");
    }

    @Test
    void theFileSourceKeepsActivitiesAsJsonLinesWhoseLineIsTheirSequence() {
        FileActivitySource source = FileActivitySource.open(dir.resolve("activities.jsonl"));
        assertThat(source.since(0, 10)).isEmpty();

        source.append(Activity.of("call-1", "call", "p1", AT, Map.of("recipient_id", "R7")));
        Activity second = source.append(Activity.of("don-1", "donation", "p2", AT, Map.of("amount", "25.00")));

        assertThat(second.sequence()).isEqualTo(2);
        List<Activity> read = FileActivitySource.open(dir.resolve("activities.jsonl")).since(1, 10);
        assertThat(read).containsExactly(new Activity("don-1", "donation", "p2", AT, Map.of("amount", "25.00"), 2));
        assertThat(source.lastSequence()).isEqualTo(2);
    }

    @Test
    void aLineThatCannotBeReadIsNamedByFileAndLineWithoutItsValues() throws IOException {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"key\":\"c1\",\"type\":\"call\",\"localId\":\"p1\",\"occurredAt\":\"2026-05-01T14:00:00Z\"}\n"
                + "\n"
                + "{\"key\":\"c2\",\"type\":\"call\",\"localId\":\"p1\",\"occurredAt\":\"yesterday\","
                + "\"fields\":{\"phone\":\"+14155550100\"}}\n", StandardCharsets.UTF_8);
        FileActivitySource source = FileActivitySource.open(file);

        assertThat(source.since(0, 1)).extracting(Activity::sequence).containsExactly(1L);
        assertThatThrownBy(() -> source.since(0, 10)).isInstanceOf(CrmSyncException.class)
                .hasMessageContaining(file + ":3").hasMessageContaining("occurredAt")
                .hasMessageNotContaining("+14155550100");
        Files.writeString(file, "not json\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> source.since(0, 10)).hasMessageContaining(file + ":1: not a JSON object");
    }

    @Test
    void aMappingSendsOnlyItsFieldsUnderTheCrmsNamesAndSaysWhatARecordLacks() {
        ActivityMapping mapping = ActivityMapping.builder().type("call", "legislator_call")
                .map("call", "recipient_id", "map_recipient_id").map("call", "started_at", "start_time")
                .required("call", "recipient_id").build();

        ActivityMapping.Mapped mapped = mapping.toRemote(Activity.of("c1", "call", "p1", AT,
                Map.of("recipient_id", " R7 ", "started_at", "2026-05-01T14:00:00Z", "notes", "private"))).orElseThrow();

        assertThat(mapped.remoteType()).isEqualTo("legislator_call");
        assertThat(mapped.fields()).containsExactly(Map.entry("map_recipient_id", "R7"),
                Map.entry("start_time", "2026-05-01T14:00:00Z"));
        assertThat(mapping.toRemote(Activity.of("c2", "call", "p1", AT, Map.of())).orElseThrow().missingRequired())
                .containsExactly("recipient_id");
        assertThat(mapping.toRemote(Activity.of("d1", "donation", "p1", AT, Map.of()))).isEmpty();
        assertThat(mapping.toBuilder().withoutType("call").type("donation").build().types()).containsExactly("donation");
    }

    @Test
    void aMappingWithARequiredFieldItDoesNotMapOrABadTypeNameIsRefusedNamingEachProblem() {
        assertThatThrownBy(() -> ActivityMapping.builder().type("Call").required("donation", "amount").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Call' may only contain")
                .hasMessageContaining("donation: required field amount is not mapped");
        assertThatThrownBy(() -> Activity.of(" ", "call", "p1", AT, Map.of())).hasMessageContaining("needs a key");
    }
}
