package org.crmsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
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

    private static List<Profile> all(ProfileStore store) {
        try (Stream<Profile> s = store.all()) {
            return s.toList();
        }
    }

    @Test
    void reopeningRestoresProfilesChangeLogAndCounters() {
        FileProfileStore store = FileProfileStore.open(dir, clock);
        store.create(full(), Optional.of("web"), LocalChange.APPLICATION);
        clock.advance(Duration.ofMinutes(5));
        Profile second = store.create(Profile.builder().localId("S-7").email("b@example.org").build(),
                Optional.empty(), "crmsync:luminate");
        store.update(second.toBuilder().firstName("Bea").build(), LocalChange.APPLICATION);

        FileProfileStore reopened = FileProfileStore.open(dir, clock);

        assertThat(all(reopened)).containsExactlyElementsOf(all(store));
        assertThat(reopened.lastSequence()).isEqualTo(3);
        assertThat(reopened.changesSince(0, 10)).containsExactlyElementsOf(store.changesSince(0, 10));
        assertThat(reopened.optInPath("p1")).contains("web");
        assertThat(reopened.findByEmail("ada@example.org")).extracting(p -> p.localId().orElseThrow())
                .containsExactly("p1");
        assertThat(reopened.findByConstituentId("003A")).hasSize(1);
        assertThat(reopened.findByPhone("+15555550101")).hasSize(1);
    }

    @Test
    void createAfterReopenContinuesIdsAndSequences() {
        FileProfileStore store = FileProfileStore.open(dir, clock);
        store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);

        FileProfileStore reopened = FileProfileStore.open(dir, clock);
        Profile third = reopened.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);

        assertThat(third.localId()).contains("p3");
        assertThat(reopened.lastSequence()).isEqualTo(3);
        assertThat(FileProfileStore.open(dir, clock).findByLocalId("p3")).contains(third);
    }

    @Test
    void everyMutationIsOnDiskWhenItReturns() {
        FileProfileStore store = FileProfileStore.open(dir, clock);
        Profile p = store.create(full(), Optional.empty(), LocalChange.APPLICATION);
        assertThat(FileProfileStore.open(dir, clock).findByLocalId("p1")).contains(p);

        Profile updated = store.update(p.toBuilder().city("Paris").build(), LocalChange.APPLICATION);
        assertThat(FileProfileStore.open(dir, clock).findByLocalId("p1")).contains(updated);
    }

    @Test
    void atomicWritesLeaveNoTempFiles() throws IOException {
        FileProfileStore store = FileProfileStore.open(dir, clock);
        for (int i = 0; i < 5; i++) {
            store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        }

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly(FileProfileStore.FILE_NAME);
        }
    }

    @Test
    void openRemovesTempFilesAnInterruptedWriteLeftBehind() throws IOException {
        FileProfileStore.open(dir, clock).create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        Files.writeString(dir.resolve(".crmsync-store.json-123.tmp"), "{\"half");

        FileProfileStore reopened = FileProfileStore.open(dir, clock);

        assertThat(reopened.size()).isEqualTo(1);
        assertThat(dir.resolve(".crmsync-store.json-123.tmp")).doesNotExist();
    }

    @Test
    void corruptFileFailsWithStorageFailedNamingTheFile() throws IOException {
        Files.writeString(dir.resolve(FileProfileStore.FILE_NAME), "{\"format\": 1, \"profiles\": [");

        assertThatThrownBy(() -> FileProfileStore.open(dir, clock))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageContaining(dir.resolve(FileProfileStore.FILE_NAME).toString());
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
    void transactionWritesOnceAtTheEndAndNestedTransactionsJoinIt() throws IOException {
        FileProfileStore store = FileProfileStore.open(dir, clock);
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
        assertThat(FileProfileStore.open(dir, clock).lastSequence()).isEqualTo(4);
    }

    @Test
    void transactionThatFailsStillWritesWhatItChanged() {
        FileProfileStore store = FileProfileStore.open(dir, clock);

        assertThatThrownBy(() -> store.inTransaction(() -> {
            store.create(Profile.builder().localId("a").build(), Optional.empty(), LocalChange.APPLICATION);
            return store.create(Profile.builder().localId("a").build(), Optional.empty(), LocalChange.APPLICATION);
        })).isInstanceOf(CrmSyncException.class);

        assertThat(FileProfileStore.open(dir, clock).findByLocalId("a")).isPresent();
    }

    @Test
    void compactionDropsOldChangesAndSurvivesReopen() {
        FileProfileStore store = FileProfileStore.open(dir, clock);
        for (int i = 0; i < 5; i++) {
            store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        }

        store.compactChangesBefore(4);

        assertThat(store.lastSequence()).isEqualTo(5);
        assertThat(store.changesSince(0, 10)).extracting(LocalChange::sequence).containsExactly(4L, 5L);
        FileProfileStore reopened = FileProfileStore.open(dir, clock);
        assertThat(reopened.changesSince(3, 10)).extracting(LocalChange::sequence).containsExactly(4L, 5L);
        reopened.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        assertThat(reopened.changesSince(5, 10)).extracting(LocalChange::sequence).containsExactly(6L);

        reopened.compactChangesBefore(100);
        assertThat(reopened.lastSequence()).isEqualTo(6);
        assertThat(reopened.changesSince(0, 10)).isEmpty();
        assertThat(FileProfileStore.open(dir, clock).lastSequence()).isEqualTo(6);
    }

    @Test
    void openCreatesAMissingDirectory() {
        Path nested = dir.resolve("a/b");
        FileProfileStore.open(nested, clock).create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);

        assertThat(nested.resolve(FileProfileStore.FILE_NAME)).exists();
    }
}
