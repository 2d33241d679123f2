package org.crmsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileProfileStoreTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private final TestClock clock = new TestClock(T0);

    @TempDir
    Path dir;

    private static Profile full() {
        return Profile.builder().phoneNumber("+15555550101").firstName("Ada").lastName("Lovelace")
                .email("Ada@Example.org").street1("12 St James's Square").street2("Flat 2").city("London")
                .state("LDN").postalCode("SW1Y 4JH").country("GB").constituentId("003A")
                .optInStatus(OptInStatus.OPTED_OUT).extraField("graduation_year", "1833").build();
    }

    private final List<FileProfileStore> opened = new ArrayList<>();

    private FileProfileStore open() {
        return open(dir);
    }

    private FileProfileStore open(Path directory) {
        FileProfileStore store = FileProfileStore.open(directory, clock);
        opened.add(store);
        return store;
    }

    /** Closes {@code store} and opens its directory again. */
    private FileProfileStore reopen(FileProfileStore store) {
        store.close();
        return open(store.directory());
    }

    /** What {@code store.json} holds, read without opening a store. */
    private InMemoryProfileStore onDisk() {
        return InMemoryProfileStore.fromJson(StoreFiles.readJsonObject(dir.resolve(FileProfileStore.FILE_NAME))
                .orElseThrow(), clock);
    }

    @AfterEach
    void closeStores() throws IOException {
        WriteFaults.clear();
        opened.forEach(FileProfileStore::close);
    }

    private static List<Profile> all(ProfileStore store) {
        try (Stream<Profile> s = store.all()) {
            return s.toList();
        }
    }

    @Test
    void reopeningRestoresProfilesChangeLogAndCounters() {
        FileProfileStore store = open();
        store.create(full(), Optional.of("web"), LocalChange.APPLICATION);
        clock.advance(Duration.ofMinutes(5));
        Profile second = store.create(Profile.builder().localId("S-7").email("b@example.org").build(),
                Optional.empty(), "crmsync:luminate");
        store.update(second.toBuilder().firstName("Bea").build(), LocalChange.APPLICATION);
        List<Profile> profiles = all(store);
        List<LocalChange> changes = store.changesSince(0, 10);

        FileProfileStore reopened = reopen(store);

        assertThat(all(reopened)).containsExactlyElementsOf(profiles);
        assertThat(reopened.lastSequence()).isEqualTo(3);
        assertThat(reopened.changesSince(0, 10)).containsExactlyElementsOf(changes);
        assertThat(reopened.optInPath("p1")).contains("web");
        assertThat(reopened.findByEmail("ada@example.org")).extracting(p -> p.localId().orElseThrow())
                .containsExactly("p1");
        assertThat(reopened.findByConstituentId("003A")).hasSize(1);
        assertThat(reopened.findByPhone("+15555550101")).hasSize(1);
    }

    @Test
    void createAfterReopenContinuesIdsAndSequences() {
        FileProfileStore store = open();
        store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);

        FileProfileStore reopened = reopen(store);
        Profile third = reopened.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);

        assertThat(third.localId()).contains("p3");
        assertThat(reopened.lastSequence()).isEqualTo(3);
        assertThat(reopen(reopened).findByLocalId("p3")).contains(third);
    }

    @Test
    void everyMutationIsOnDiskWhenItReturns() {
        FileProfileStore store = open();
        Profile p = store.create(full(), Optional.empty(), LocalChange.APPLICATION);
        assertThat(onDisk().findByLocalId("p1")).contains(p);

        Profile updated = store.update(p.toBuilder().city("Paris").build(), LocalChange.APPLICATION);
        assertThat(onDisk().findByLocalId("p1")).contains(updated);
    }

    @Test
    void atomicWritesLeaveNoTempFiles() throws IOException {
        FileProfileStore store = open();
        for (int i = 0; i < 5; i++) {
            store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        }

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder(FileProfileStore.FILE_NAME, StoreDirectory.LOCK_FILE);
        }
    }

    @Test
    void openRemovesTempFilesAnInterruptedWriteLeftBehind() throws IOException {
        FileProfileStore store = open();
        store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        store.close();
        Files.writeString(dir.resolve(".crmsync-store.json-123.tmp"), "{\"half");

        FileProfileStore reopened = open();

        assertThat(reopened.size()).isEqualTo(1);
        assertThat(dir.resolve(".crmsync-store.json-123.tmp")).doesNotExist();
    }

    @Test
    void corruptFileFailsWithStorageFailedNamingTheFile() throws IOException {
        Files.writeString(dir.resolve(FileProfileStore.FILE_NAME), "{\"format\": 1, \"profiles\": [");

        assertThatThrownBy(() -> FileProfileStore.open(dir, clock))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining(dir.resolve(FileProfileStore.FILE_NAME).toString());
        // the failed open released the directory
        Files.delete(dir.resolve(FileProfileStore.FILE_NAME));
        assertThat(open().size()).isZero();
    }

    @Test
    void fileWithAMissingPartFailsWithStorageFailed() throws IOException {
        Files.writeString(dir.resolve(FileProfileStore.FILE_NAME), "{\"format\": 1, \"profiles\": []}");

        assertThatThrownBy(() -> FileProfileStore.open(dir, clock))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining(FileProfileStore.FILE_NAME)
                .hasMessageContaining("lastGeneratedIdNumber");
    }

    @Test
    void countersTooLargeForALongAreACorruptFile() throws IOException {
        Files.writeString(dir.resolve(FileProfileStore.FILE_NAME), "{\"format\": 1, \"lastGeneratedIdNumber\":"
                + " 18446744073709551617, \"compactedChanges\": 0, \"profiles\": [], \"changes\": []}");

        assertThatThrownBy(() -> FileProfileStore.open(dir, clock))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining("lastGeneratedIdNumber");
    }

    @Test
    void transactionWritesOnceAtTheEndAndNestedTransactionsJoinIt() throws IOException {
        FileProfileStore store = open();
        Path file = dir.resolve(FileProfileStore.FILE_NAME);

        int created = store.inTransaction(() -> {
            for (int i = 0; i < 3; i++) {
                store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
            }
            store.inTransaction(() -> store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION));
            assertThat(file).doesNotExist();
            return store.size();
        });

        assertThat(created).isEqualTo(4);
        assertThat(onDisk().lastSequence()).isEqualTo(4);
    }

    @Test
    void transactionThatFailsStillWritesWhatItChanged() {
        FileProfileStore store = open();

        assertThatThrownBy(() -> store.inTransaction(() -> {
            store.create(Profile.builder().localId("a").build(), Optional.empty(), LocalChange.APPLICATION);
            return store.create(Profile.builder().localId("a").build(), Optional.empty(), LocalChange.APPLICATION);
        })).isInstanceOf(CrmSyncException.class);

        assertThat(onDisk().findByLocalId("a")).isPresent();
        assertThat(store.findByLocalId("a")).isPresent();
    }

    @Test
    void compactionDropsOldChangesAndSurvivesReopen() {
        FileProfileStore store = open();
        for (int i = 0; i < 5; i++) {
            store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        }

        store.compactChangesBefore(4);

        assertThat(store.lastSequence()).isEqualTo(5);
        assertThat(store.changesSince(0, 10)).extracting(LocalChange::sequence).containsExactly(4L, 5L);
        FileProfileStore reopened = reopen(store);
        assertThat(reopened.changesSince(3, 10)).extracting(LocalChange::sequence).containsExactly(4L, 5L);
        reopened.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        assertThat(reopened.changesSince(5, 10)).extracting(LocalChange::sequence).containsExactly(6L);

        reopened.compactChangesBefore(100);
        assertThat(reopened.lastSequence()).isEqualTo(6);
        assertThat(reopened.changesSince(0, 10)).isEmpty();
        assertThat(reopen(reopened).lastSequence()).isEqualTo(6);
    }

    @Test
    void openCreatesAMissingDirectory() {
        Path nested = dir.resolve("a/b");
        open(nested).create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);

        assertThat(nested.resolve(FileProfileStore.FILE_NAME)).exists();
    }

    // ---- one store per directory ----

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefusedUntilTheFirstCloses() {
        FileProfileStore first = open();
        first.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);

        assertThatThrownBy(() -> FileProfileStore.open(dir, clock))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_RUN))
                .hasMessageContaining(dir.toString());
        // also through another spelling of the same directory
        assertThatThrownBy(() -> FileProfileStore.open(dir.resolve("."), clock))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_RUN));
        // the refused opens did not touch the first store's work
        first.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);

        first.close();
        first.close();
        assertThatThrownBy(() -> first.size()).isInstanceOf(IllegalStateException.class);
        assertThat(open().size()).isEqualTo(2);
    }

    @Test
    void aRefusedSecondOpenLeavesTheFirstStoresLockInForceForOtherProcesses(@TempDir Path scratch) throws Exception {
        FileProfileStore first = open();
        assertThatThrownBy(() -> FileProfileStore.open(dir, clock))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_RUN));

        assertThat(LockProbe.probe("profiles", dir, scratch)).isEqualTo("REFUSED CONCURRENT_RUN");

        first.close();
        assertThat(LockProbe.probe("profiles", dir, scratch)).isEqualTo("OPENED");
    }

    // ---- a failed write ----

    @Test
    void aFailedWriteLeavesTheFileAloneAndFailsEveryLaterCallUntilReopened() throws IOException {
        FileProfileStore store = open();
        Profile first = store.create(Profile.builder().email("a@example.org").build(), Optional.empty(),
                LocalChange.APPLICATION);
        String saved = Files.readString(dir.resolve(FileProfileStore.FILE_NAME));

        WriteFaults.failRenamesIn(dir);
        assertThatThrownBy(() -> store.create(Profile.builder().email("b@example.org").build(), Optional.empty(),
                LocalChange.APPLICATION))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining("reopen");
        WriteFaults.clear();

        assertThat(dir.resolve(FileProfileStore.FILE_NAME)).hasContent(saved);
        assertThatThrownBy(() -> store.findByEmail("b@example.org"))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining("reopen");
        assertThatThrownBy(store::size).isInstanceOf(CrmSyncException.class);
        // a retried create does not save the failed one with it
        assertThatThrownBy(() -> store.create(Profile.builder().email("b@example.org").build(), Optional.empty(),
                LocalChange.APPLICATION))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED));
        assertThatThrownBy(() -> store.compactChangesBefore(10)).isInstanceOf(CrmSyncException.class);
        assertThat(dir.resolve(FileProfileStore.FILE_NAME)).hasContent(saved);

        // the failed store let go of the directory: reopening reads what is on disk
        FileProfileStore reopened = open();
        assertThat(all(reopened)).containsExactly(first);
        assertThat(reopened.lastSequence()).isEqualTo(1);
        assertThat(reopened.findByEmail("b@example.org")).isEmpty();
        Profile retried = reopened.create(Profile.builder().email("b@example.org").build(), Optional.empty(),
                LocalChange.APPLICATION);
        assertThat(retried.localId()).contains("p2");
        assertThat(reopen(reopened).findByEmail("b@example.org")).containsExactly(retried);
        store.close();
    }

    @Test
    void aFailedWriteAtTheEndOfATransactionFailsTheStore() {
        FileProfileStore store = open();
        WriteFaults.failRenamesIn(dir);

        assertThatThrownBy(() -> store.inTransaction(() -> {
            store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
            return store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        })).isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED));
        WriteFaults.clear();

        assertThatThrownBy(store::lastSequence).isInstanceOf(CrmSyncException.class);
        assertThat(dir.resolve(FileProfileStore.FILE_NAME)).doesNotExist();
        assertThat(open().size()).isZero();
    }

    @Test
    void aDirectoryThatCannotBeWrittenFailsTheStore() throws IOException {
        FileProfileStore store = open();
        store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        String saved = Files.readString(dir.resolve(FileProfileStore.FILE_NAME));
        WriteFaults.refuseWritesIn(dir);

        assertThatThrownBy(() -> store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining(dir.resolve(FileProfileStore.FILE_NAME).toString());
        WriteFaults.clear();

        assertThatThrownBy(store::size).isInstanceOf(CrmSyncException.class);
        assertThat(dir.resolve(FileProfileStore.FILE_NAME)).hasContent(saved);
        assertThat(open().size()).isEqualTo(1);
    }
}
