package org.crmsync.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crmsync.mapping.RecordSource;
import org.junit.jupiter.api.Test;

class FieldValuesTest {
    private static final FieldValues.Layout LAYOUT = FieldValues.Layout.of(List.of("id", "email", "phone", "city"));

    @Test
    void aRecordsValuesAreAMapOfTheNamesThatHaveOneInTheLayoutsOrder() {
        FieldValues v = LAYOUT.values(new String[] {"C1", null, "+14155550100", "Fresno"});

        assertThat(v).hasSize(3).containsEntry("id", "C1").containsEntry("city", "Fresno").doesNotContainKey("email");
        assertThat(v.get("email")).isNull();
        assertThat(v.get("unknown")).isNull();
        assertThat(v.keySet()).containsExactly("id", "phone", "city");
        List<String> seen = new ArrayList<>();
        v.forEach((k, x) -> seen.add(k + "=" + x));
        assertThat(seen).containsExactly("id=C1", "phone=+14155550100", "city=Fresno");
        Map<String, String> same = new LinkedHashMap<>();
        same.put("city", "Fresno");
        same.put("id", "C1");
        same.put("phone", "+14155550100");
        assertThat(v).isEqualTo(same);
        assertThat(v.hashCode()).isEqualTo(same.hashCode());
    }

    @Test
    void itCannotBeChangedAndPrintsNoValue() {
        FieldValues v = LAYOUT.values(new String[] {"C1", "ann@example.org", null, null});

        assertThatThrownBy(() -> v.put("city", "x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> v.entrySet().iterator().remove()).isInstanceOf(RuntimeException.class);
        assertThat(v.toString()).contains("id", "email").doesNotContain("ann@example.org").doesNotContain("C1");
    }

    @Test
    void aLayoutRefusesANameTwiceAndValuesOfAnotherLength() {
        assertThatThrownBy(() -> FieldValues.Layout.of(List.of("a", "b", "a"))).hasMessageContaining("a is given twice");
        assertThatThrownBy(() -> LAYOUT.values(new String[2])).hasMessageContaining("4 names, not 2");
    }

    @Test
    void aRemoteRecordKeepsFieldValuesAsTheyAreAndCopiesAnyOtherMap() {
        FieldValues v = LAYOUT.values(new String[] {"C1", null, null, "Fresno"});
        RemoteRecord kept = RemoteRecord.of("C1", v, RecordSource.EXPORT_FILE, SyncCursor.start(), "f.csv line 2");
        assertThat(kept.fields()).isSameAs(v);

        Map<String, String> plain = new LinkedHashMap<>();
        plain.put("id", "C1");
        plain.put("note", null);
        RemoteRecord copied = RemoteRecord.of("C1", plain, RecordSource.API, SyncCursor.start(), "api");
        plain.put("id", "changed");
        assertThat(copied.fields()).containsEntry("id", "C1").containsEntry("note", "");
    }

    @Test
    void aCursorOfFieldValuesInOrderEqualsTheSameCursorMadeFromAMapAndOneOutOfOrderIsSorted() {
        SyncCursor laidOut = new SyncCursor(FieldValues.Layout.of(List.of("file", "line"))
                .values(new String[] {"a.csv", "12"}));
        SyncCursor fromMap = SyncCursor.of("line", "12", "file", "a.csv");
        assertThat(laidOut).isEqualTo(fromMap).hasSameHashCodeAs(fromMap);
        assertThat(laidOut.values().keySet()).containsExactly("file", "line");

        SyncCursor unsorted = new SyncCursor(FieldValues.Layout.of(List.of("line", "file"))
                .values(new String[] {"12", "a.csv"}));
        assertThat(unsorted.values().keySet()).containsExactly("file", "line");
        assertThat(unsorted).isEqualTo(fromMap);
    }
}
