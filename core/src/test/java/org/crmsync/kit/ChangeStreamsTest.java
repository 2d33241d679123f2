package org.crmsync.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.mapping.RecordSource;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.Test;

/** The kit's paged and hydrating change streams. */
class ChangeStreamsTest {
    /** Pages of numbers; a page may say it is the last, that more follow, or nothing. */
    private static final class Numbers extends PagedChangeStream<Integer> {
        final List<Page<Integer>> pages;
        int fetches;
        int failAtFetch = -1;

        Numbers(List<Page<Integer>> pages) {
            this.pages = new ArrayList<>(pages);
        }

        @Override
        protected Page<Integer> fetch() {
            fetches++;
            if (fetches == failAtFetch) {
                throw new CrmSyncException(ErrorCode.QUOTA_EXHAUSTED, "quota used up");
            }
            return pages.remove(0);
        }

        @Override
        protected RemoteRecord toRecord(Integer item, boolean lastOfPass) {
            return RemoteRecord.of(item.toString(), Map.of(), RecordSource.API,
                    SyncCursor.of("n", item + (lastOfPass ? "-end" : "")), "number " + item);
        }
    }

    private static List<String> cursors(Numbers s) {
        List<String> out = new ArrayList<>();
        s.forEachRemaining(r -> out.add(r.cursorAfter().get("n").orElseThrow()));
        return out;
    }

    @Test
    void theLastItemOfThePassKnowsItIsLastReadingAheadOnlyWhereAPageDoesNotSay() {
        Numbers announced = new Numbers(List.of(new PagedChangeStream.Page<>(List.of(1, 2), PagedChangeStream.Ending.MORE),
                new PagedChangeStream.Page<>(List.of(3), PagedChangeStream.Ending.LAST)));
        Numbers silent = new Numbers(List.of(new PagedChangeStream.Page<>(List.of(1, 2), false),
                new PagedChangeStream.Page<>(List.of(), false), new PagedChangeStream.Page<>(List.of(3), false),
                new PagedChangeStream.Page<>(List.of(), true)));

        assertThat(cursors(announced)).containsExactly("1", "2", "3-end");
        assertThat(announced.fetches).isEqualTo(2);
        assertThat(cursors(silent)).containsExactly("1", "2", "3-end");
        assertThat(silent.fetches).isEqualTo(4);
    }

    @Test
    void aFailedReadAheadComesAfterTheRecordAlreadyReadWhichDoesNotClaimToBeLast() {
        Numbers s = new Numbers(List.of(new PagedChangeStream.Page<>(List.of(1), false),
                new PagedChangeStream.Page<>(List.of(2), true)));
        s.failAtFetch = 2;

        assertThat(s.next().cursorAfter()).isEqualTo(SyncCursor.of("n", "1"));
        assertThatThrownBy(s::hasNext).isInstanceOfSatisfying(CrmSyncException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXHAUSTED));
    }

    @Test
    void changedIdsAreReadInBatchesAtTheFeedsPositionsAndAnIdNoLongerThereIsPassedOver() {
        Iterator<HydratingChangeStream.ChangedId> feed = List.of("a", "b", "gone", "c").stream()
                .map(id -> new HydratingChangeStream.ChangedId(id, SyncCursor.of("line", id), "changed.csv " + id))
                .iterator();
        List<List<String>> reads = new ArrayList<>();
        boolean[] closed = {false};
        HydratingChangeStream s = new HydratingChangeStream(feed, 2, ids -> {
            reads.add(ids);
            Map<String, RemoteRecord> found = new LinkedHashMap<>();
            ids.stream().filter(id -> !id.equals("gone")).forEach(id -> found.put(id,
                    RemoteRecord.of(id, Map.of("name", id.toUpperCase()), RecordSource.API, SyncCursor.start(), "api")));
            return found;
        }, () -> closed[0] = true, Optional.of(SyncCursor.of("file", "done")));

        List<RemoteRecord> records = new ArrayList<>();
        s.forEachRemaining(records::add);
        s.close();

        assertThat(reads).containsExactly(List.of("a", "b"), List.of("gone", "c"));
        assertThat(records).extracting(RemoteRecord::remoteId).containsExactly("a", "b", "c");
        assertThat(records.get(2).cursorAfter()).isEqualTo(SyncCursor.of("line", "c"));
        assertThat(records.get(2).fields()).containsEntry("name", "C");
        assertThat(s.endCursor()).hasValue(SyncCursor.of("file", "done"));
        assertThat(closed[0]).isTrue();
    }
}
