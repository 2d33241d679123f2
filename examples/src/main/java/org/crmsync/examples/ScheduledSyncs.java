package org.crmsync.examples;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.schedule.Schedule;
import org.crmsync.schedule.SyncNotifier;
import org.crmsync.schedule.SyncScheduler;
import org.crmsync.spi.Connector;
import org.crmsync.store.ProfileStore;
import org.crmsync.store.SyncStateStore;
import org.crmsync.testing.FakeConnector;

/**
 * The seeds' cadences on crmsync's scheduler: the inbound sync nightly at 02:00, the outbound sync
 * every five minutes from 07:00 to 21:00, both in the organization's time zone, with a notifier that
 * receives every report.
 */
public final class ScheduledSyncs {
    private ScheduledSyncs() {
    }

    static SyncScheduler schedule(Connector crm, org.crmsync.mapping.FieldMapping mapping, ProfileStore profiles,
            SyncStateStore state, ZoneId zone, Clock clock, SyncNotifier notifier) {
        SyncPolicy policy = SyncPolicy.builder().mode(SyncMode.CONSERVATIVE).allowedCountries("US")
                .defaultOptInPath("web-opt-in").build();
        SyncJob inbound = SyncJob.builder("crm-inbound").connector(crm).connectionId("crm").profiles(profiles)
                .state(state).mapping(mapping).policy(policy)
                .direction(SyncDirection.INBOUND).build();
        SyncJob outbound = SyncJob.builder("crm-outbound").connector(crm).connectionId("crm").profiles(profiles)
                .state(state).mapping(inbound.mapping()).policy(policy).direction(SyncDirection.OUTBOUND).build();

        SyncScheduler scheduler = new SyncScheduler(new SyncEngine(clock), clock);
        scheduler.schedule("nightly inbound", Schedule.nightly(LocalTime.of(2, 0), zone), List.of(inbound), notifier);
        scheduler.schedule("daytime outbound", Schedule.every(Duration.ofMinutes(5), LocalTime.of(7, 0),
                LocalTime.of(21, 0), zone), List.of(outbound), notifier);
        return scheduler;
    }

    /** Runs the schedule for real until the process is stopped. */
    public static void main(String[] args) throws InterruptedException {
        Clock clock = Clock.systemUTC();
        FakeConnector crm = InMemoryCrmProvider.memoryCrm();
        new ContactGenerator(1).contacts(500).forEach(crm::add);
        try (SyncScheduler scheduler = schedule(crm, org.crmsync.mapping.FieldMapping.defaults(),
                new org.crmsync.store.InMemoryProfileStore(clock),
                new org.crmsync.store.InMemorySyncStateStore(), ZoneId.systemDefault(), clock,
                (task, report) -> System.out.println(task + ": " + report.summary()))) {
            scheduler.tasks().forEach(t -> System.out.println(t.name() + " next runs at " + t.nextRun().orElseThrow()));
            scheduler.start(Duration.ofSeconds(30));
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
