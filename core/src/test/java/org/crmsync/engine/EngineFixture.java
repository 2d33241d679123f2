package org.crmsync.engine;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.SyncReport;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.store.ProfileStore;
import org.crmsync.testing.FakeConnector;
import org.crmsync.testing.MutableClock;

/** One application, one fake CRM, one engine: what every engine test starts from. */
final class EngineFixture {
    final MutableClock clock = MutableClock.at("2026-03-02T06:00:00Z");
    final InMemoryProfileStore backing = new InMemoryProfileStore(clock);
    final RecordingStore store = new RecordingStore(backing);
    final InMemorySyncStateStore state = new InMemorySyncStateStore();
    final FakeConnector crm;
    final SyncEngine engine = new SyncEngine(clock);
    FieldMapping mapping = FieldMapping.defaults();
    SyncPolicy policy = SyncPolicy.builder().mode(SyncMode.LIBERAL).defaultOptInPath("web-path-1")
            .allowedCountries("US").build();

    EngineFixture() {
        this(new FakeConnector());
    }

    EngineFixture(FakeConnector crm) {
        this.crm = crm;
    }

    SyncJob.Builder job(SyncDirection direction) {
        return SyncJob.builder(direction == SyncDirection.INBOUND ? "fake-in" : "fake-out").connector(crm)
                .profiles(store).state(state).mapping(mapping).policy(policy).direction(direction);
    }

    SyncReport inbound() {
        return engine.run(job(SyncDirection.INBOUND).build());
    }

    SyncReport outbound() {
        return engine.run(job(SyncDirection.OUTBOUND).build());
    }

    void nextDay() {
        clock.advance(Duration.ofDays(1));
    }

    /** A CRM record with the default API names. */
    static Map<String, String> crmPerson(String first, String last, String email, String phone, String country,
            String optIn) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("profile_first_name", first);
        f.put("profile_last_name", last);
        f.put("profile_email", email);
        f.put("phone_number", phone);
        f.put("address_country", country);
        f.put("opt_in_status", optIn);
        return f;
    }

    /** A person who signed up in the application. */
    Profile signUp(String first, String email, String phone, OptInStatus status) {
        Profile p = Profile.builder().firstName(first).lastName("Doe").email(email).phoneNumber(phone)
                .optInStatus(status).build();
        return store.create(p, Optional.empty(), LocalChange.APPLICATION);
    }

    Profile appUpdate(Profile p) {
        return store.update(p, LocalChange.APPLICATION);
    }

    Profile profile(String localId) {
        return store.findByLocalId(localId).orElseThrow();
    }

    Optional<Profile> byPhone(String e164) {
        List<Profile> found = store.findByPhone(e164);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * A profile store that records the opt-in path each profile was created with, and can be made to
     * fail, so tests see what the engine asked of the application.
     */
    static final class RecordingStore implements ProfileStore {
        final ProfileStore delegate;
        final Map<String, String> optInPaths = new ConcurrentHashMap<>();
        Predicate<Profile> failCreate = p -> false;
        boolean storageDown;

        RecordingStore(ProfileStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Profile> findByLocalId(String localId) {
            return delegate.findByLocalId(localId);
        }

        @Override
        public List<Profile> findByConstituentId(String constituentId) {
            return delegate.findByConstituentId(constituentId);
        }

        @Override
        public List<Profile> findByPhone(String e164) {
            return delegate.findByPhone(e164);
        }

        @Override
        public List<Profile> findByEmail(String email) {
            return delegate.findByEmail(email);
        }

        @Override
        public List<Profile> findByNameAndEmail(String firstName, String lastName, String email) {
            return delegate.findByNameAndEmail(firstName, lastName, email);
        }

        @Override
        public Profile create(Profile profile, Optional<String> optInPath, String origin) {
            if (failCreate.test(profile)) {
                throw new IllegalStateException("application rejected the profile");
            }
            if (storageDown) {
                throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "database is down");
            }
            Profile created = delegate.create(profile, optInPath, origin);
            optInPath.ifPresent(p -> optInPaths.put(created.localId().orElseThrow(), p));
            return created;
        }

        @Override
        public Profile update(Profile profile, String origin) {
            if (storageDown) {
                throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "database is down");
            }
            return delegate.update(profile, origin);
        }

        @Override
        public List<LocalChange> changesSince(long afterSequence, int limit) {
            return delegate.changesSince(afterSequence, limit);
        }

        @Override
        public long lastSequence() {
            return delegate.lastSequence();
        }

        @Override
        public Stream<Profile> all() {
            return delegate.all();
        }

        int size() {
            try (Stream<Profile> s = delegate.all()) {
                return (int) s.count();
            }
        }
    }
}
