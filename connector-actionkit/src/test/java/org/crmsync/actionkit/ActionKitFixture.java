package org.crmsync.actionkit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;

/**
 * One application, one simulated ActionKit instance, one engine, and the ActionKit connector between
 * them, created through the ServiceLoader registry as an application would. Close it after each test.
 */
final class ActionKitFixture implements AutoCloseable {
    final MutableClock clock = MutableClock.at("2026-03-02T06:00:00Z");
    final RecordingSleeper sleeper = new RecordingSleeper(clock);
    final ActionKitSimulator ak = ActionKitSimulator.start(clock);
    final InMemoryProfileStore store = new InMemoryProfileStore(clock);
    final InMemorySyncStateStore state = new InMemorySyncStateStore();
    final SyncEngine engine = new SyncEngine(clock);
    final Map<String, String> config = new LinkedHashMap<>(ak.connectorConfig());
    FieldMapping mapping = ActionKitMapping.defaults();
    SyncPolicy policy = new ActionKitConnectorProvider().policyPreset().mode(SyncMode.LIBERAL)
            .defaultOptInPath("web-path-1").build();
    private ActionKitConnector connector;

    ActionKitConnector connector() {
        if (connector == null) {
            connector = (ActionKitConnector) ConnectorRegistry.load().create(ActionKitConnectorProvider.ID, config,
                    context());
        }
        return connector;
    }

    ConnectorContext context() {
        return ConnectorContext.forLocalSimulator(clock, sleeper);
    }

    ActionKitFixture set(String key, String value) {
        config.put(key, value);
        closeConnector();
        return this;
    }

    /** The next {@link #connector()} is a new connector, whose runs read the schemas again. */
    void reconnect() {
        closeConnector();
    }

    SyncJob.Builder job(SyncDirection direction) {
        return SyncJob.builder(direction == SyncDirection.INBOUND ? "ak-in" : "ak-out").connectionId("actionkit")
                .connector(connector()).profiles(store).state(state).mapping(mapping).policy(policy)
                .direction(direction);
    }

    SyncReport inbound() {
        return engine.run(job(SyncDirection.INBOUND).build());
    }

    SyncReport outbound() {
        return engine.run(job(SyncDirection.OUTBOUND).build());
    }

    void later(Duration d) {
        clock.advance(d);
    }

    Profile signUp(String first, String last, String email, String phone, OptInStatus status) {
        Profile p = Profile.builder().firstName(first).lastName(last).email(email).phoneNumber(phone)
                .optInStatus(status).build();
        return store.create(p, Optional.empty(), LocalChange.APPLICATION);
    }

    Profile appUpdate(Profile p) {
        return store.update(p, LocalChange.APPLICATION);
    }

    Profile profile(String localId) {
        return store.findByLocalId(localId).orElseThrow();
    }

    List<Profile> profiles() {
        try (Stream<Profile> all = store.all()) {
            return all.toList();
        }
    }

    /** A user as a member's signup would make one: US, a mobile phone, the opt-in field. */
    static Map<String, String> user(String first, String last, String email, String mobile, boolean subscriber) {
        Map<String, String> u = new LinkedHashMap<>();
        u.put("first_name", first);
        u.put("last_name", last);
        u.put("email", email);
        u.put("country", "United States");
        if (mobile != null) {
            u.put("mobile_phone", mobile);
        }
        u.put("user_" + ActionKitSimulator.OPT_IN_FIELD, Boolean.toString(subscriber));
        return u;
    }

    private void closeConnector() {
        if (connector != null) {
            connector.close();
            connector = null;
        }
    }

    @Override
    public void close() {
        closeConnector();
        ak.close();
    }
}
