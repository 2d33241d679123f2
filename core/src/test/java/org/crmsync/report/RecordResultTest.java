package org.crmsync.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.crmsync.SyncDirection;
import org.junit.jupiter.api.Test;

class RecordResultTest {
    private static RecordResult lazyUpdate(String key, Supplier<String> message) {
        return RecordResult.lazy(key, SyncDirection.INBOUND, Outcome.UPDATED, Reason.NONE, message,
                Optional.of("L-" + key), Optional.of(key));
    }

    @Test
    void aLazyMessageIsBuiltOnceWhenFirstReadAndTheRowEqualsOneBuiltAtOnce() {
        AtomicInteger built = new AtomicInteger();
        RecordResult lazy = lazyUpdate("003A", () -> {
            built.incrementAndGet();
            return "changed: profile_email";
        });
        assertThat(built).hasValue(0);

        assertThat(lazy.message()).isEqualTo("changed: profile_email");
        assertThat(lazy.message()).isEqualTo("changed: profile_email");
        assertThat(built).hasValue(1);
        assertThat(lazy).isEqualTo(new RecordResult("003A", SyncDirection.INBOUND, Outcome.UPDATED, Reason.NONE,
                "changed: profile_email", Optional.of("L-003A"), Optional.of("003A")))
                .hasSameHashCodeAs(new RecordResult("003A", SyncDirection.INBOUND, Outcome.UPDATED, Reason.NONE,
                        "changed: profile_email", Optional.of("L-003A"), Optional.of("003A")));
    }

    @Test
    void aReportWithoutASinkBuildsTheMessagesOfTheRowsItKeepsOnly() {
        AtomicInteger built = new AtomicInteger();
        SyncReport.Builder b = SyncReport.builder("nightly", "salesforce", SyncDirection.INBOUND,
                java.time.Instant.parse("2026-03-02T06:00:00Z")).keepRows(10);
        for (int i = 0; i < 100_000; i++) {
            int n = i;
            b.add(lazyUpdate("003" + n, () -> {
                built.incrementAndGet();
                return "changed: field_" + n;
            }));
        }
        SyncReport report = b.finish(java.time.Instant.parse("2026-03-02T06:01:00Z"));

        assertThat(report.count(Outcome.UPDATED)).isEqualTo(100_000);
        assertThat(report.rows()).hasSize(10);
        assertThat(report.rows().get(9).message()).isEqualTo("changed: field_9");
        assertThat(built).hasValue(10);
    }
}
