package org.crmsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.mapping.RecordSource;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.Test;

class ChangeGroupsTest {
    /** A stream of {@code size} records that throws {@code failure} instead of record {@code failAt}. */
    private static final class CountingStream implements ChangeStream {
        final int size;
        final int failAt;
        final RuntimeException failure;
        final AtomicBoolean inUse = new AtomicBoolean();
        final AtomicBoolean usedByTwoThreadsAtOnce = new AtomicBoolean();
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean closed;
        volatile boolean usedAfterClose;
        int next;

        CountingStream(int size, int failAt, RuntimeException failure) {
            this.size = size;
            this.failAt = failAt;
            this.failure = failure;
        }

        private void enter() {
            calls.incrementAndGet();
            if (closed) {
                usedAfterClose = true;
            }
            if (!inUse.compareAndSet(false, true)) {
                usedByTwoThreadsAtOnce.set(true);
            }
        }

        @Override
        public boolean hasNext() {
            enter();
            try {
                if (next == failAt) {
                    throw failure;
                }
                return next < size;
            } finally {
                inUse.set(false);
            }
        }

        @Override
        public RemoteRecord next() {
            enter();
            try {
                String id = "R" + next++;
                return RemoteRecord.of(id, Map.of("id", id), RecordSource.API, SyncCursor.of("after", id), id);
            } finally {
                inUse.set(false);
            }
        }

        @Override
        public Optional<SyncCursor> endCursor() {
            return Optional.of(SyncCursor.of("pass", "done"));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static List<String> ids(ChangeGroups.Group<String> group) {
        return group.records().stream().map(RemoteRecord::remoteId).toList();
    }

    @Test
    void groupsReadAheadHoldTheStreamsRecordsInOrderWithWhatWasStartedForEachAndTheEndCursor() {
        CountingStream stream = new CountingStream(250, -1, null);
        List<ChangeGroups.Group<String>> groups = new ArrayList<>();
        try (ChangeGroups<String> ahead = ChangeGroups.ahead(stream, 100, r -> "started " + r.remoteId(), "job")) {
            ChangeGroups.Group<String> g;
            do {
                g = ahead.next();
                groups.add(g);
            } while (g.end() instanceof ChangeGroups.More);
        }

        assertThat(groups).hasSize(3);
        assertThat(ids(groups.get(0))).hasSize(100).startsWith("R0").endsWith("R99");
        assertThat(ids(groups.get(2))).hasSize(50).startsWith("R200").endsWith("R249");
        assertThat(groups.get(2).started()).hasSize(50).startsWith("started R200");
        assertThat(groups.get(2).end()).isEqualTo(new ChangeGroups.Ended(Optional.of(SyncCursor.of("pass", "done"))));
        assertThat(stream.usedByTwoThreadsAtOnce).isFalse();
    }

    @Test
    void aStreamThatFailsEndsItsGroupWithTheFailureAfterTheRecordsReadBeforeIt() {
        CrmSyncException down = new CrmSyncException(ErrorCode.CONNECTION_FAILED, "the CRM is down");
        try (ChangeGroups<String> ahead = ChangeGroups.ahead(new CountingStream(500, 130, down), 100, r -> null,
                "job")) {
            assertThat(ahead.next().end()).isInstanceOf(ChangeGroups.More.class);
            ChangeGroups.Group<String> second = ahead.next();

            assertThat(ids(second)).hasSize(30).endsWith("R129");
            assertThat(second.started()).isEmpty();
            assertThat(second.end()).isInstanceOfSatisfying(ChangeGroups.Failed.class,
                    failed -> assertThatThrownBy(failed::rethrow).isSameAs(down));
        }
    }

    @Test
    void theQuotaRunningOutWhileReadingEndsTheGroupWithWhatWasReadBefore() {
        CrmSyncException quota = new CrmSyncException(ErrorCode.QUOTA_EXHAUSTED, "the daily API quota is used up");
        try (ChangeGroups<String> inline = ChangeGroups.inline(new CountingStream(500, 40, quota), 100, r -> null)) {
            ChangeGroups.Group<String> first = inline.next();

            assertThat(ids(first)).hasSize(40);
            assertThat(first.end()).isEqualTo(new ChangeGroups.QuotaReached("the daily API quota is used up"));
        }
    }

    @Test
    void closingWhileTheReaderIsAheadWaitsForItToLeaveTheStreamSoNothingUsesTheStreamAfter() {
        CountingStream stream = new CountingStream(100_000, -1, null);
        ChangeGroups<String> ahead = ChangeGroups.ahead(stream, 100, r -> null, "job");
        assertThat(ids(ahead.next())).hasSize(100);

        ahead.close();
        int callsAtClose = stream.calls.get();
        stream.close();

        assertThat(stream.calls.get()).isEqualTo(callsAtClose);
        assertThat(stream.usedAfterClose).isFalse();
        assertThat(callsAtClose).as("the reader stopped within the groups it may read ahead")
                .isLessThan(2 * (4 * 100 + 1));
    }
}
