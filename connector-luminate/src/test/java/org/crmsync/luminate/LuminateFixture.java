package org.crmsync.luminate;

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
 * An SMS platform's profiles (the local side), a simulated Luminate site with its FTPS host, and an engine
 * on a test clock; the policy is the provider's preset in liberal mode with a default opt-in path.
 */
final class LuminateFixture implements AutoCloseable {
    final MutableClock clock = MutableClock.at("2026-06-01T08:00:00Z");
    final RecordingSleeper sleeper = new RecordingSleeper(clock);
    final LuminateCrm crm = LuminateCrm.start(clock);
    final LuminateSimulator site = crm.site;
    final InMemoryProfileStore store = new InMemoryProfileStore(clock);
    final InMemorySyncStateStore state = new InMemorySyncStateStore();
    final SyncEngine engine = new SyncEngine(clock);
    final Map<String, String> config = new LinkedHashMap<>(crm.config());
    FieldMapping mapping = LuminateMapping.defaults(LuminateSimulator.OPTIN_FIELD);
    SyncPolicy policy = preset(SyncMode.LIBERAL);
    boolean allowPlain = true;
    private Connector connector;

    static SyncPolicy preset(SyncMode mode) {
        return new LuminateConnectorProvider().policyPreset().mode(mode).defaultOptInPath("web").build();
    }

    Connector connector() {
        if (connector == null) {
            ConnectorContext context = allowPlain ? ConnectorContext.forLocalSimulator(clock, sleeper)
                    : new ConnectorContext(clock, sleeper, false);
            connector = ConnectorRegistry.load().create(LuminateConnectorProvider.ID, config, context);
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
        return SyncJob.builder(direction == SyncDirection.INBOUND ? "lum-in" : "lum-out").connectionId("lum")
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

    static String cell(int n) {
        return String.format("+1415%07d", 2_000_000 + n);
    }

    @Override
    public void close() {
        if (connector != null) {
            connector.close();
        }
        crm.close();
    }
}
