package org.crmsync.salesforce;

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
 * One application, one simulated Salesforce org, one engine, and the Salesforce connector between
 * them, created through the ServiceLoader registry as an application would. Close it after each test.
 */
final class SalesforceFixture implements AutoCloseable {
    final MutableClock clock = MutableClock.at("2026-03-02T06:00:00Z");
    final RecordingSleeper sleeper = new RecordingSleeper(clock);
    final SalesforceSimulator sf = SalesforceSimulator.start(clock);
    final InMemoryProfileStore store = new InMemoryProfileStore(clock);
    final InMemorySyncStateStore state = new InMemorySyncStateStore();
    final SyncEngine engine = new SyncEngine(clock);
    final Map<String, String> config = new LinkedHashMap<>(sf.connectorConfig());
    FieldMapping mapping = SalesforceMapping.defaults();
    SyncPolicy policy = new SalesforceConnectorProvider().policyPreset().mode(SyncMode.LIBERAL).defaultOptInPath("web-path-1")
            .sourceCode("Mobile Commons").build();
    private SalesforceConnector connector;

    /** The connector for the current configuration; created on first use, then kept (its session too). */
    SalesforceConnector connector() {
        if (connector == null) {
            connector = (SalesforceConnector) ConnectorRegistry.load().create(SalesforceConnectorProvider.ID, config,
                    context());
        }
        return connector;
    }

    /** The change stream of a session of {@link #connector()} (Salesforce's feed is always ready). */
    org.crmsync.spi.ChangeStream changes(org.crmsync.spi.SyncContext context, org.crmsync.spi.SyncCursor since) {
        return ((org.crmsync.spi.ChangeFeed.Ready) connector().open(context).readChanges(since)).changes();
    }

    /** The next {@link #connector()} is a new connector: it logs in again, and the engine runs its preflight. */
    void reconnect() {
        closeConnector();
    }

    ConnectorContext context() {
        return ConnectorContext.forLocalSimulator(clock, sleeper);
    }

    /** Changes a setting; the next {@link #connector()} is a new connector. */
    SalesforceFixture set(String key, String value) {
        config.put(key, value);
        closeConnector();
        return this;
    }

    SyncJob.Builder job(SyncDirection direction) {
        return SyncJob.builder(direction == SyncDirection.INBOUND ? "sf-in" : "sf-out").connectionId("salesforce")
                .connector(connector()).profiles(store).state(state).mapping(mapping).policy(policy)
                .direction(direction);
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

    /** A person who signed up in the application. */
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

    /** A Salesforce contact as a CRM user would create it. */
    static Map<String, Object> contact(String first, String last, String email, String mobile, boolean subscriber) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("FirstName", first);
        c.put("LastName", last);
        c.put("Email", email);
        c.put("MobilePhone", mobile);
        c.put("Mobile_Subscriber__c", subscriber);
        return c;
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
        sf.close();
    }
}
