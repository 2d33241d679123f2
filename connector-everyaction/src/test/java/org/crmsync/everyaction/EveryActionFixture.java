package org.crmsync.everyaction;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;

/**
 * An SMS platform's profiles (the local side), a simulated EveryAction database, and an engine on a
 * test clock; the policy is the provider's preset in liberal mode with a default opt-in path.
 */
final class EveryActionFixture implements AutoCloseable {
    final MutableClock clock = MutableClock.at("2026-06-01T08:00:00Z");
    final RecordingSleeper sleeper = new RecordingSleeper(clock);
    final EveryActionSimulator van = EveryActionSimulator.start(clock);
    final InMemoryProfileStore store = new InMemoryProfileStore(clock);
    final InMemorySyncStateStore state = new InMemorySyncStateStore();
    final SyncEngine engine = new SyncEngine(clock);
    final Map<String, String> config = new LinkedHashMap<>(van.config());
    FieldMapping mapping = EveryActionMapping.defaults();
    SyncPolicy policy = preset(SyncMode.LIBERAL);
    private Connector connector;

    static SyncPolicy preset(SyncMode mode) {
        return new EveryActionConnectorProvider().policyPreset().mode(mode).defaultOptInPath("web").build();
    }

    Connector connector() {
        if (connector == null) {
            connector = ConnectorRegistry.load().create(EveryActionConnectorProvider.ID, config,
                    ConnectorContext.forLocalSimulator(clock, sleeper));
        }
        return connector;
    }

    /** A new connector (a new process): nothing of the last one's runs is kept. */
    void restart() {
        if (connector != null) {
            connector.close();
            connector = null;
        }
    }

    SyncJob.Builder job(SyncDirection direction) {
        return SyncJob.builder(direction == SyncDirection.INBOUND ? "ea-in" : "ea-out").connectionId("ea")
                .connector(connector()).profiles(store).state(state).mapping(mapping).policy(policy)
                .direction(direction);
    }

    SyncReport inbound() {
        return engine.run(job(SyncDirection.INBOUND).build());
    }

    SyncReport outbound() {
        return engine.run(job(SyncDirection.OUTBOUND).build());
    }

    /** A new local opt-in with a US mobile number. */
    Profile signUp(String first, String last, String email, String phone) {
        return store.create(Profile.builder().firstName(first).lastName(last).email(email).phoneNumber(phone)
                .optInStatus(OptInStatus.OPTED_IN).build(), Optional.empty(), LocalChange.APPLICATION);
    }

    Profile byEmail(String email) {
        return store.findByEmail(email).get(0);
    }

    void optOut(String email) {
        Profile p = byEmail(email);
        store.update(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build(), LocalChange.APPLICATION);
    }

    @Override
    public void close() {
        if (connector != null) {
            connector.close();
        }
        van.close();
    }
}
