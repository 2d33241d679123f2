package org.crmsync.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChunksTest {
    @Test
    void aBatchIsSplitByCountKeepingItsOrder() {
        assertThat(Chunks.byCount(List.of(1, 2, 3, 4, 5), 2)).containsExactly(List.of(1, 2), List.of(3, 4), List.of(5));
        assertThat(Chunks.byCount(List.<Integer>of(), 2)).isEmpty();
    }

    @Test
    void aBatchIsSplitWhereTheNextRecordWouldPassTheSizeLimitAndAnOversizeRecordStandsAlone() {
        List<String> items = List.of("aaaa", "bb", "ccc", "dddddddddd", "e");

        assertThat(Chunks.byCountAndSize(items, 10, 6, String::length))
                .containsExactly(List.of("aaaa", "bb"), List.of("ccc"), List.of("dddddddddd"), List.of("e"));
    }

    @Test
    void limitsWithoutRoomForARecordAreRefused() {
        assertThatThrownBy(() -> Chunks.byCount(List.of(1), 0)).hasMessageContaining("maxCount 0");
    }
}
