package org.crmsync.examples;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.activity.Activity;
import org.crmsync.activity.InMemoryActivitySource;
import org.crmsync.actionkit.ActionKitConfig;
import org.crmsync.actionkit.ActionKitSimulator;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;

/**
 * An ActionKit round against the ActionKit simulator: the nightly inbound sync brings ActionKit's
 * subscribed US users with a mobile number into the platform (conservative mode: only those whose
 * Mobile Subscriber field is true), the five-minute outbound sync adds the platform's new opt-ins to
 * ActionKit and sets an opt-out's field to false, and the mConnect call sync posts the platform's calls
 * as actions on their ActionKit call page, once each: run again, every sync finds nothing to do.
 */
public final class ActionKitExample {
    private ActionKitExample() {
    }

    public static void main(String[] args) {
        run().forEach(r -> System.out.println(r.summary()));
    }

    /** Inbound, outbound and the call sync, then all three again. */
    static List<SyncReport> run() {
        MutableClock clock = MutableClock.at("2026-05-04T06:00:00Z");
        // Plain HTTP only because the simulator runs on this machine; waits move the example's clock.
        ConnectorContext local = ConnectorContext.forLocalSimulator(clock, new RecordingSleeper(clock));
        ConnectorRegistry registry = ConnectorRegistry.load();
        ConnectorProvider actionkit = registry.provider("actionkit");
        try (ActionKitSimulator ak = ActionKitSimulator.start(clock)) {
            for (int i = 0; i < 20; i++) {
                ak.addUser(Map.of("first_name", "Member" + i, "last_name", "Example", "email", "member" + i
                        + "@example.org", "country", "United States", "mobile_phone", String.format("(415) 555-%04d", 100 + i),
                        "user_mobile_subscriber", Boolean.toString(i % 4 != 0)));
            }
            ak.addPage("call_your_senator", "Call", Map.of("call_mconnect_id", "MC-SENATE"));
            Map<String, String> config = new java.util.LinkedHashMap<>(ak.connectorConfig());
            config.put(ActionKitConfig.CALL_PAGES, "MC-SENATE=call_your_senator");
            InMemoryProfileStore profiles = new InMemoryProfileStore(clock);
            InMemorySyncStateStore state = new InMemorySyncStateStore();
            SyncEngine engine = new SyncEngine(clock);
            List<SyncReport> reports = new ArrayList<>();
            try (Connector crm = registry.create("actionkit", config, local)) {
                SyncJob.Builder base = SyncJob.builder("example-ak-in").connector(crm).profiles(profiles).state(state)
                        .mapping(actionkit.defaultMapping(config)).policy(actionkit.policyPreset()
                                .mode(SyncMode.CONSERVATIVE).defaultOptInPath("web-opt-in").build());
                SyncJob inbound = base.direction(SyncDirection.INBOUND).build();
                SyncJob outbound = base.id("example-ak-out").direction(SyncDirection.OUTBOUND).build();
                InMemoryActivitySource calls = new InMemoryActivitySource();
                SyncJob callSync = base.id("example-ak-calls").direction(SyncDirection.ACTIVITIES).activities(calls)
                        .activityMapping(actionkit.defaultActivityMapping()).build();

                reports.add(engine.run(inbound));
                clock.advance(Duration.ofHours(8));
                for (int i = 0; i < 5; i++) {
                    profiles.create(Profile.builder().firstName("New" + i).lastName("Signup").email("new" + i
                            + "@example.org").phoneNumber(String.format("+1415555%04d", 200 + i))
                            .optInStatus(OptInStatus.OPTED_IN).build(), Optional.empty(), LocalChange.APPLICATION);
                }
                Profile leaving = profiles.findByEmail("member1@example.org").get(0);
                profiles.update(leaving.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build(), LocalChange.APPLICATION);
                reports.add(engine.run(outbound));
                clock.advance(Duration.ofMinutes(5));
                List<Profile> callers = profiles.all().filter(p -> p.constituentId().isPresent()).limit(10).toList();
                for (int i = 0; i < callers.size(); i++) {
                    calls.add(Activity.of("mconnect-call-" + (500 + i), "call", callers.get(i).localId().orElseThrow(),
                            Instant.parse("2026-05-04T15:00:00Z").plusSeconds(90L * i),
                            Map.of("mconnect_key", "MC-SENATE", "target", "Sen. Example")));
                }
                reports.add(engine.run(callSync));
                clock.advance(Duration.ofHours(1));
                reports.add(engine.run(inbound));
                reports.add(engine.run(outbound));
                reports.add(engine.run(callSync));
            }
            return reports;
        }
    }
}
