package org.crmsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSyncStateStoreTest extends SyncStateStoreContract {
    @TempDir
    Path dir;

    private final List<FileSyncStateStore> opened = new ArrayList<>();

    @Override
    SyncStateStore newStore(int keepReports) {
        return open(keepReports);
    }

    private FileSyncStateStore open(int keepReports) {
        FileSyncStateStore store = FileSyncStateStore.open(dir, keepReports);
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() throws IOException {
        WriteFaults.clear();
        opened.forEach(FileSyncStateStore::close);
    }

    @Test
    void reopeningRestoresRollingWindowCounts() {
        try (FileSyncStateStore store = FileSyncStateStore.open(dir)) {
            store.reserveApiCalls("sf-account", QuotaWindow.ROLLING_24_HOURS, T0, 15, 100);
        }
        try (FileSyncStateStore store = FileSyncStateStore.open(dir)) {
            assertThat(store.apiCallsUsed("sf-account", QuotaWindow.ROLLING_24_HOURS, T0.plusSeconds(3600)))
                    .isEqualTo(15);
        }
    }

    @Test
    void reopeningRestoresCursorsApiCallsPendingRecordsAndReports() {
        try (FileSyncStateStore store = FileSyncStateStore.open(dir)) {
            store.saveCursor("nightly", SyncDirection.INBOUND, SyncCursor.of("since", "2024-05-01T00:00:00Z", "id", "9"));
            store.saveCursor("nightly", SyncDirection.OUTBOUND, SyncCursor.start());
            store.addApiCalls("sf-account", DAY, 12);
            store.savePending("nightly", SyncDirection.INBOUND, pendingRecord("A", 3));
            store.savePending("nightly", SyncDirection.INBOUND, pendingRecord("B", 1));
            store.savePending("nightly", SyncDirection.OUTBOUND, new PendingRecord("p7", 1, "timeout", T0,
                    java.util.Map.of(), java.util.Optional.empty()));
            store.saveReport(report("nightly", SyncDirection.INBOUND, T0, "k"));
        }

        try (FileSyncStateStore store = FileSyncStateStore.open(dir)) {
            assertThat(store.cursor("nightly", SyncDirection.INBOUND))
                    .contains(SyncCursor.of("since", "2024-05-01T00:00:00Z", "id", "9"));
            assertThat(store.cursor("nightly", SyncDirection.OUTBOUND)).contains(SyncCursor.start());
            assertThat(store.apiCallsUsed("sf-account", DAY)).isEqualTo(12);
            assertThat(store.pending("nightly", SyncDirection.INBOUND))
                    .containsExactly(pendingRecord("A", 3), pendingRecord("B", 1));
            assertThat(store.pending("nightly", SyncDirection.OUTBOUND)).extracting(PendingRecord::key)
                    .containsExactly("p7");
            assertThat(store.recentReports("nightly", 5)).hasSize(1);
        }
    }

    @Test
    void everyChangeIsOnDiskWhenTheMethodReturns() throws IOException {
        FileSyncStateStore store = open(20);
        store.saveCursor("nightly", SyncDirection.INBOUND, SyncCursor.of("since", "x"));

        // Read back from the file alone, as its own reader parses it (not by its layout or spacing).
        InMemorySyncStateStore onDisk = InMemorySyncStateStore.fromJson(
                StoreFiles.readJsonObject(dir.resolve(FileSyncStateStore.STATE_FILE)).orElseThrow(), 20);
        assertThat(onDisk.cursor("nightly", SyncDirection.INBOUND)).contains(SyncCursor.of("since", "x"));
    }

    @Test
    void reportFilesArePrunedToKeepReports() throws IOException {
        FileSyncStateStore store = open(2);
        for (int i = 0; i < 4; i++) {
            store.saveReport(report("nightly", SyncDirection.OUTBOUND, T0.plus(Duration.ofMinutes(5 * i)), "r" + i));
        }

        try (Stream<Path> files = Files.list(dir.resolve("reports/nightly"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(
                    "2024-05-01T02-10-00.000000000Z-OUTBOUND.json", "2024-05-01T02-15-00.000000000Z-OUTBOUND.json");
        }
    }

    @Test
    void atomicWritesLeaveNoTempFiles() throws IOException {
        FileSyncStateStore store = open(20);
        store.saveCursor("nightly", SyncDirection.INBOUND, SyncCursor.of("since", "x"));
        store.addApiCalls("k", DAY, 1);
        store.saveReport(report("nightly", SyncDirection.INBOUND, T0, "k"));

        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()))
                    .containsExactlyInAnyOrder(StoreDirectory.LOCK_FILE, "state.json",
                            "reports/nightly/2024-05-01T02-00-00.000000000Z-INBOUND.json");
        }
    }

    @Test
    void corruptStateFileFailsWithStorageFailedNamingTheFile() throws IOException {
        Files.writeString(dir.resolve(FileSyncStateStore.STATE_FILE), "{\"format\": 1, \"cursors\": {");

        assertThatThrownBy(() -> FileSyncStateStore.open(dir))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining(dir.resolve(FileSyncStateStore.STATE_FILE).toString());
        // the failed open released its lock, and the corrupt file was left for a person to look at
        assertThat(Files.readString(dir.resolve(FileSyncStateStore.STATE_FILE))).startsWith("{\"format\": 1");
        Files.delete(dir.resolve(FileSyncStateStore.STATE_FILE));
        open(20);
    }

    @Test
    void stateFileWithABadValueFailsWithStorageFailed() throws IOException {
        Files.writeString(dir.resolve(FileSyncStateStore.STATE_FILE),
                "{\"format\": 1, \"cursors\": {}, \"apiCalls\": {\"k\": {\"2024-05-01\": \"many\"}}, \"pending\": {}}");

        assertThatThrownBy(() -> FileSyncStateStore.open(dir))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining(FileSyncStateStore.STATE_FILE)
                .hasMessageContaining("apiCalls.k.2024-05-01");
    }

    @Test
    void apiCallCountTooLargeForALongIsACorruptFile() throws IOException {
        Files.writeString(dir.resolve(FileSyncStateStore.STATE_FILE), "{\"format\": 1, \"cursors\": {},"
                + " \"apiCalls\": {\"k\": {\"2024-05-01\": 18446744073709551617}}, \"pending\": {}}");

        assertThatThrownBy(() -> FileSyncStateStore.open(dir))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining("apiCalls.k.2024-05-01");
    }

    @Test
    void corruptReportFileFailsWithStorageFailedNamingTheFile() throws IOException {
        FileSyncStateStore store = open(20);
        store.saveReport(report("nightly", SyncDirection.INBOUND, T0, "k"));
        Path file = dir.resolve("reports/nightly/2024-05-01T02-00-00.000000000Z-INBOUND.json");
        Files.writeString(file, "{not json");

        assertThatThrownBy(() -> store.recentReports("nightly", 1))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining(file.toString());
    }

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefusedUntilTheFirstCloses() {
        FileSyncStateStore first = FileSyncStateStore.open(dir);

        assertThatThrownBy(() -> FileSyncStateStore.open(dir))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_RUN))
                .hasMessageContaining(dir.toString());

        first.close();
        first.close();
        open(20);
        assertThatThrownBy(() -> first.cursor("nightly", SyncDirection.INBOUND)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRefusedSecondOpenLeavesTheFirstStoresLockInForceForOtherProcesses(@TempDir Path scratch) throws Exception {
        FileSyncStateStore first = open(20);
        assertThatThrownBy(() -> FileSyncStateStore.open(dir))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_RUN));
        assertThatThrownBy(() -> FileSyncStateStore.open(dir.resolve(".")))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_RUN));

        assertThat(LockProbe.probe("state", dir, scratch)).isEqualTo("REFUSED CONCURRENT_RUN");
        first.saveCursor("nightly", SyncDirection.INBOUND, SyncCursor.of("since", "x"));

        first.close();
        assertThat(LockProbe.probe("state", dir, scratch)).isEqualTo("OPENED");
    }

    @Test
    void aFailedWriteLeavesTheFileAloneAndFailsEveryLaterCallUntilReopened() throws IOException {
        FileSyncStateStore store = open(20);
        store.saveCursor("nightly", SyncDirection.INBOUND, SyncCursor.of("since", "1"));
        String saved = Files.readString(dir.resolve(FileSyncStateStore.STATE_FILE));

        WriteFaults.failRenamesIn(dir);
        assertThatThrownBy(() -> store.saveCursor("nightly", SyncDirection.INBOUND, SyncCursor.of("since", "2")))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining(FileSyncStateStore.STATE_FILE)
                .hasMessageContaining("reopen");
        WriteFaults.clear();

        assertThat(dir.resolve(FileSyncStateStore.STATE_FILE)).hasContent(saved);
        assertThatThrownBy(() -> store.cursor("nightly", SyncDirection.INBOUND))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining("reopen");
        assertThatThrownBy(() -> store.addApiCalls("k", DAY, 1)).isInstanceOf(CrmSyncException.class);
        assertThatThrownBy(() -> store.saveReport(report("nightly", SyncDirection.INBOUND, T0, "k")))
                .isInstanceOf(CrmSyncException.class);
        assertThat(dir.resolve(FileSyncStateStore.STATE_FILE)).hasContent(saved);
        assertThat(dir.resolve(FileSyncStateStore.REPORTS_DIRECTORY)).doesNotExist();

        // the failed store let go of the directory: reopening reads what is on disk
        FileSyncStateStore reopened = open(20);
        assertThat(reopened.cursor("nightly", SyncDirection.INBOUND)).contains(SyncCursor.of("since", "1"));
        assertThat(reopened.apiCallsUsed("k", DAY)).isZero();
        store.close();
    }

    @Test
    void aDirectoryThatCannotBeWrittenFailsTheStore() throws IOException {
        FileSyncStateStore store = open(20);
        store.saveCursor("nightly", SyncDirection.INBOUND, SyncCursor.of("since", "1"));
        String saved = Files.readString(dir.resolve(FileSyncStateStore.STATE_FILE));
        WriteFaults.refuseWritesIn(dir);

        assertThatThrownBy(() -> store.saveCursor("nightly", SyncDirection.INBOUND, SyncCursor.of("since", "2")))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED));
        WriteFaults.clear();

        assertThatThrownBy(() -> store.cursor("nightly", SyncDirection.INBOUND)).isInstanceOf(CrmSyncException.class);
        assertThat(dir.resolve(FileSyncStateStore.STATE_FILE)).hasContent(saved);
        assertThat(open(20).cursor("nightly", SyncDirection.INBOUND)).contains(SyncCursor.of("since", "1"));
    }
}
