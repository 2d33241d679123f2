package org.crmsync.examples;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.crmsync.SyncDirection;
import org.crmsync.activity.Activity;
import org.crmsync.activity.InMemoryActivitySource;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;

/**
 * Activity sync on the memory CRM: an inbound run links 100 profiles to CRM records, the platform
 * records 25 calls made by some of them, and an activity job posts each call once to its person's CRM
 * record; run again, it posts nothing.
 */
public final class ActivitySyncExample {
    private ActivitySyncExample() {
    }

    public static void main(String[] args) {
        List<SyncReport> reports = run();
        reports.forEach(r -> System.out.println(r.summary()));
    }

    /** The inbound run, the activity run, and the activity run again. */
    static List<SyncReport> run() {
        ConnectorRegistry registry = ConnectorRegistry.load();
        ConnectorProvider memory = registry.provider("memory");
        InMemoryProfileStore profiles = new InMemoryProfileStore();
        InMemorySyncStateStore state = new InMemorySyncStateStore();
        SyncEngine engine = new SyncEngine();
        try (Connector crm = registry.create("memory", Map.of("generated.contacts", "100"), ConnectorContext.defaults())) {
            SyncPolicy policy = SyncPolicy.builder().mode(SyncMode.LIBERAL).allowedCountries("US").build();
            SyncReport inbound = engine.run(SyncJob.builder("example-inbound").connector(crm).profiles(profiles)
                    .state(state).mapping(memory.defaultMapping()).policy(policy).direction(SyncDirection.INBOUND)
                    .build());

            // The platform's calls: its own ids as keys, the profile each belongs to, when, and the fields.
            InMemoryActivitySource calls = new InMemoryActivitySource();
            List<Profile> callers = profiles.all().limit(25).toList();
            for (int i = 0; i < callers.size(); i++) {
                calls.add(Activity.of("call-" + (1000 + i), "call", callers.get(i).localId().orElseThrow(),
                        Instant.parse("2026-05-01T14:00:00Z").plusSeconds(60L * i),
                        Map.of("recipient_id", "R" + (i % 5), "alert_id", "42", "start_time", "2026-05-01T14:00:00Z")));
            }
            SyncJob activities = SyncJob.builder("example-calls").connector(crm).profiles(profiles).state(state)
                    .policy(policy).direction(SyncDirection.ACTIVITIES).activities(calls)
                    .activityMapping(memory.defaultActivityMapping()).build();
            return List.of(inbound, engine.run(activities), engine.run(activities));
        }
    }
}
