package org.crmsync.examples;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.util.Locale;
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
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.testing.FakeConnector;

/**
 * Measures the engine itself, without network: an inbound run of N CRM records into an in-memory
 * store and an outbound run of N new opt-ins, printing records per second, API calls per 1,000
 * records and heap in use. Figures only; nothing is asserted.
 *
 * <p>{@code mvn -q -DskipTests -pl examples -am package exec:java
 * -Dexec.mainClass=org.crmsync.examples.EngineBenchmark -Dexec.args=100000}
 */
public final class EngineBenchmark {
    private EngineBenchmark() {
    }

    public static void main(String[] args) {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 100_000, System.out);
    }

    /** The figures, also printed: inbound records/s, outbound records/s, outbound calls per 1,000. */
    static double[] run(int n, PrintStream out) {
        Clock clock = Clock.systemUTC();
        FakeConnector crm = InMemoryCrmProvider.memoryCrm();
        new ContactGenerator(11).contacts(n).forEach(crm::add);
        InMemoryProfileStore profiles = new InMemoryProfileStore(clock);
        InMemorySyncStateStore state = new InMemorySyncStateStore();
        SyncPolicy policy = SyncPolicy.builder().mode(SyncMode.LIBERAL).allowedCountries("US").build();
        SyncJob inbound = SyncJob.builder("bench-in").connector(crm).profiles(profiles).state(state)
                .mapping(FieldMapping.defaults()).policy(policy).direction(SyncDirection.INBOUND).build();
        SyncEngine engine = new SyncEngine(clock);

        long t0 = System.nanoTime();
        SyncReport in = engine.run(inbound);
        double inSeconds = (System.nanoTime() - t0) / 1e9;
        long heapAfterInbound = heapUsed();

        profiles.inTransaction(() -> {
            for (int i = 0; i < n; i++) {
                profiles.create(Profile.builder().firstName("New").lastName("Person " + i)
                        .email("bench" + i + "@example.net").phoneNumber("+1608555" + (1000 + i % 9000))
                        .optInStatus(OptInStatus.OPTED_IN).build(), Optional.empty(), LocalChange.APPLICATION);
            }
            return null;
        });
        SyncJob outbound = inbound.toBuilder().direction(SyncDirection.OUTBOUND).build();
        SyncJob outboundJob = SyncJob.builder("bench-out").connector(crm).profiles(profiles).state(state)
                .mapping(outbound.mapping()).policy(policy).direction(SyncDirection.OUTBOUND).build();
        long t1 = System.nanoTime();
        SyncReport outReport = engine.run(outboundJob);
        double outSeconds = (System.nanoTime() - t1) / 1e9;

        double inRate = in.recordsRead() / inSeconds;
        double outRate = outReport.recordsRead() / outSeconds;
        double callsPer1000 = outReport.apiCallsUsed() * 1000.0 / Math.max(1, outReport.recordsRead());
        out.printf(Locale.ROOT, "inbound:  %,d records in %.2f s = %,.0f records/s, %d API calls, %s%n",
                in.recordsRead(), inSeconds, inRate, in.apiCallsUsed(), in.outcomeCounts());
        out.printf(Locale.ROOT, "outbound: %,d new opt-ins in %.2f s = %,.0f records/s, %.1f API calls per 1,000%n",
                outReport.recordsRead(), outSeconds, outRate, callsPer1000);
        out.printf(Locale.ROOT, "heap in use after the inbound run: %,d MB (profiles and report rows included)%n",
                heapAfterInbound / (1024 * 1024));
        return new double[] {inRate, outRate, callsPer1000};
    }

    private static long heapUsed() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
