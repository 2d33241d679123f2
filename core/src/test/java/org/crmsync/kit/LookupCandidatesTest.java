package org.crmsync.kit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.crmsync.mapping.RecordSource;
import org.crmsync.model.Profile;
import org.crmsync.policy.MatchKey;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.Test;

class LookupCandidatesTest {
    record Found(String id, String email) {
    }

    @Test
    void everyRequestGetsEveryRecordThatMayBeItsPersonAndARequestWithNoneAnEmptyList() {
        LookupRequest ana = new LookupRequest("L1", Profile.builder().email("ana@example.org").build(),
                List.of(MatchKey.EMAIL));
        LookupRequest bo = new LookupRequest("L2", Profile.builder().email("bo@example.org").build(),
                List.of(MatchKey.EMAIL));
        List<Found> found = List.of(new Found("A", "ana@example.org"), new Found("B", "ANA@example.org"));

        Map<String, List<RemoteRecord>> byKey = LookupCandidates.assign(List.of(ana, bo), found,
                (r, f) -> r.profile().email().filter(f.email()::equalsIgnoreCase).isPresent(),
                f -> RemoteRecord.of(f.id(), Map.of("email", f.email()), RecordSource.API, SyncCursor.start(), f.id()));

        assertThat(byKey).containsOnlyKeys("L1", "L2");
        assertThat(byKey.get("L1")).extracting(RemoteRecord::remoteId).containsExactly("A", "B");
        assertThat(byKey.get("L2")).isEmpty();
    }
}
