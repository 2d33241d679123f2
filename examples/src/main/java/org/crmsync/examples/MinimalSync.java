package org.crmsync.examples;

import java.util.Map;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;

/** The smallest embedding: build a job in code and call {@link SyncEngine#run}. */
public final class MinimalSync {
    private MinimalSync() {
    }

    public static void main(String[] args) {
        System.out.println(run().summary());
    }

    static SyncReport run() {
        ConnectorRegistry registry = ConnectorRegistry.load();
        ConnectorProvider provider = registry.provider("memory");
        try (Connector crm = registry.create("memory", Map.of("generated.contacts", "100"),
                ConnectorContext.defaults())) {
            SyncJob job = SyncJob.builder("minimal-inbound")
                    .connector(crm)
                    .connectionId("demo-memory")
                    .profiles(new InMemoryProfileStore())
                    .state(new InMemorySyncStateStore())
                    .mapping(provider.defaultMapping())
                    .policy(SyncPolicy.builder().mode(SyncMode.LIBERAL).allowedCountries("US").build())
                    .direction(SyncDirection.INBOUND)
                    .build();
            return new SyncEngine().run(job);
        } // closing the connector releases what it holds
    }
}
