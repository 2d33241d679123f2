package org.crmsync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.junit.jupiter.api.Test;

class InMemoryProfileStoreTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private final TestClock clock = new TestClock(T0);
    private final InMemoryProfileStore store = new InMemoryProfileStore(clock);

    static Profile ada() {
        return Profile.builder().phoneNumber("+15555550101").firstName("Ada").lastName("Lovelace")
                .email("Ada.Lovelace@Example.org").optInStatus(OptInStatus.OPTED_IN).build();
    }

    @Test
    void createAssignsSequentialLocalIdsAndSetsLastModifiedFromTheClock() {
        Profile first = store.create(ada(), Optional.of("web"), LocalChange.APPLICATION);
        clock.advance(Duration.ofMinutes(1));
        Profile second = store.create(Profile.builder().phoneNumber("+15555550102").build(), Optional.empty(),
                LocalChange.APPLICATION);

        assertThat(first.localId()).contains("p1");
        assertThat(first.lastModified()).contains(T0);
        assertThat(second.localId()).contains("p2");
        assertThat(second.lastModified()).contains(T0.plus(Duration.ofMinutes(1)));
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.optInPath("p1")).contains("web");
        assertThat(store.optInPath("p2")).isEmpty();
    }

    @Test
    void createKeepsAGivenLocalIdAndGeneratedIdsSkipIt() {
        store.create(Profile.builder().localId("p1").build(), Optional.empty(), LocalChange.APPLICATION);
        Profile generated = store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);

        assertThat(generated.localId()).contains("p2");
        assertThat(store.findByLocalId("p1")).isPresent();
    }

    @Test
    void createRejectsADuplicateLocalId() {
        store.create(Profile.builder().localId("S-100").build(), Optional.empty(), LocalChange.APPLICATION);

        assertThatThrownBy(() -> store.create(Profile.builder().localId("S-100").build(), Optional.empty(),
                LocalChange.APPLICATION))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageContaining("S-100");
        assertThat(store.lastSequence()).isEqualTo(1);
    }

    @Test
    void createLogsEverySetField() {
        store.create(ada(), Optional.of("web"), "crmsync:salesforce");

        List<LocalChange> changes = store.changesSince(0, 10);
        assertThat(changes).hasSize(1);
        LocalChange c = changes.get(0);
        assertThat(c.sequence()).isEqualTo(1);
        assertThat(c.localId()).isEqualTo("p1");
        assertThat(c.origin()).isEqualTo("crmsync:salesforce");
        assertThat(c.created()).isTrue();
        assertThat(c.changedFields()).containsExactlyInAnyOrder("phone_number", "profile_first_name",
                "profile_last_name", "profile_email", "opt_in_status", "local_id");
        assertThat(c.optInChanged()).isTrue();
    }

    @Test
    void findsByEachKeyAndEmailIgnoringCase() {
        Profile stored = store.create(ada().toBuilder().constituentId("003A").build(), Optional.empty(),
                LocalChange.APPLICATION);
        store.create(Profile.builder().phoneNumber("+15555550199").email("other@example.org").build(),
                Optional.empty(), LocalChange.APPLICATION);

        assertThat(store.findByLocalId("p1")).contains(stored);
        assertThat(store.findByConstituentId("003A")).containsExactly(stored);
        assertThat(store.findByPhone("+15555550101")).containsExactly(stored);
        assertThat(store.findByEmail("ada.lovelace@example.org")).containsExactly(stored);
        assertThat(store.findByEmail("ADA.LOVELACE@EXAMPLE.ORG")).containsExactly(stored);
        assertThat(store.findByNameAndEmail("ADA", "lovelace", "ada.lovelace@example.ORG")).containsExactly(stored);
        assertThat(store.findByNameAndEmail("Ada", "Byron", "ada.lovelace@example.org")).isEmpty();
        assertThat(store.findByPhone("+15555550000")).isEmpty();
        assertThat(store.findByConstituentId("nope")).isEmpty();
        assertThat(store.findByLocalId("p9")).isEmpty();
    }

    @Test
    void lookupsReturnEveryProfileSharingAKey() {
        Profile a = store.create(ada(), Optional.empty(), LocalChange.APPLICATION);
        Profile b = store.create(ada().toBuilder().phoneNumber("+15555550102").build(), Optional.empty(),
                LocalChange.APPLICATION);

        assertThat(store.findByEmail("ada.lovelace@example.org")).containsExactly(a, b);
    }

    @Test
    void updateMovesIndexEntriesToTheNewValues() {
        Profile p = store.create(ada(), Optional.empty(), LocalChange.APPLICATION);
        Profile changed = store.update(p.toBuilder().phoneNumber("+15555550177").email("ada@new.example")
                .constituentId("003B").build(), LocalChange.APPLICATION);

        assertThat(store.findByPhone("+15555550101")).isEmpty();
        assertThat(store.findByEmail("ada.lovelace@example.org")).isEmpty();
        assertThat(store.findByPhone("+15555550177")).containsExactly(changed);
        assertThat(store.findByEmail("ADA@new.example")).containsExactly(changed);
        assertThat(store.findByConstituentId("003B")).containsExactly(changed);
    }

    @Test
    void updateLogsOnlyTheChangedFieldsAndSetsLastModified() {
        Profile p = store.create(ada(), Optional.empty(), LocalChange.APPLICATION);
        clock.advance(Duration.ofHours(1));

        Profile updated = store.update(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).city("London").email(null)
                .build(), "crmsync:actionkit");

        assertThat(updated.lastModified()).contains(T0.plus(Duration.ofHours(1)));
        assertThat(store.findByLocalId("p1")).contains(updated);
        List<LocalChange> changes = store.changesSince(1, 10);
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.sequence()).isEqualTo(2);
            assertThat(c.created()).isFalse();
            assertThat(c.origin()).isEqualTo("crmsync:actionkit");
            assertThat(c.changedFields()).containsExactlyInAnyOrder("opt_in_status", "address_city", "profile_email");
        });
    }

    @Test
    void updateWithEqualFieldsLogsNothingAndReturnsTheStoredProfile() {
        Profile p = store.create(ada(), Optional.empty(), LocalChange.APPLICATION);
        clock.advance(Duration.ofHours(1));

        Profile result = store.update(p.toBuilder().lastModified(Instant.EPOCH).build(), LocalChange.APPLICATION);

        assertThat(result).isEqualTo(p);
        assertThat(result.lastModified()).contains(T0);
        assertThat(store.lastSequence()).isEqualTo(1);
    }

    @Test
    void updateOfAnUnknownOrMissingLocalIdIsInvalidInput() {
        assertThatThrownBy(() -> store.update(ada().toBuilder().localId("p42").build(), LocalChange.APPLICATION))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessage("no profile with local id p42");
        assertThatThrownBy(() -> store.update(ada(), LocalChange.APPLICATION))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT));
    }

    @Test
    void changesSincePagesOldestFirst() {
        for (int i = 0; i < 7; i++) {
            store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        }

        assertThat(store.lastSequence()).isEqualTo(7);
        assertThat(store.changesSince(0, 3)).extracting(LocalChange::sequence).containsExactly(1L, 2L, 3L);
        assertThat(store.changesSince(3, 3)).extracting(LocalChange::sequence).containsExactly(4L, 5L, 6L);
        assertThat(store.changesSince(6, 3)).extracting(LocalChange::sequence).containsExactly(7L);
        assertThat(store.changesSince(7, 3)).isEmpty();
        assertThat(store.changesSince(100, 3)).isEmpty();
        assertThat(store.changesSince(5, Integer.MAX_VALUE)).extracting(LocalChange::localId).containsExactly("p6", "p7");
        assertThatThrownBy(() -> store.changesSince(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emptyStoreHasSequenceZero() {
        assertThat(store.lastSequence()).isZero();
        assertThat(store.changesSince(0, 10)).isEmpty();
        try (Stream<Profile> all = store.all()) {
            assertThat(all).isEmpty();
        }
    }

    @Test
    void allStreamsASnapshotInCreationOrder() {
        store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
        try (Stream<Profile> all = store.all()) {
            store.create(Profile.builder().build(), Optional.empty(), LocalChange.APPLICATION);
            assertThat(all.map(p -> p.localId().orElseThrow()).collect(Collectors.toList())).containsExactly("p1", "p2");
        }
    }

    @Test
    void concurrentCreatesGetDistinctIdsAndContiguousSequences() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Profile>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(pool.submit(() -> store.create(Profile.builder().build(), Optional.empty(),
                        LocalChange.APPLICATION)));
            }
            for (Future<Profile> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(store.size()).isEqualTo(200);
        assertThat(store.changesSince(0, 1000)).extracting(LocalChange::sequence)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 200).boxed().toList());
    }
}
