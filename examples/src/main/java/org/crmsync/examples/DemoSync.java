package org.crmsync.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

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
import org.crmsync.store.FileProfileStore;
import org.crmsync.store.FileSyncStateStore;
import org.crmsync.store.LocalChange;

/**
 * The README's demo: a complete two-way sync between a file-backed profile store and a CRM, run
 * twice to show that the second run finds nothing new to do.
 *
 * <p>Usage: {@code DemoSync [work-folder] [contacts]}; defaults {@code target/crmsync-demo} and 3,000.
 */
public final class DemoSync {
    private DemoSync() {
    }

    public static void main(String[] args) {
        Path work = Paths.get(args.length > 0 ? args[0] : "target/crmsync-demo").toAbsolutePath();
        int contacts = args.length > 1 ? Integer.parseInt(args[1]) : 3_000;
        run(work, contacts, System.out);
    }

    /** Runs the demo in {@code work} (emptied first) and returns the reports in the order they ran. */
    static List<SyncReport> run(Path work, int contacts, PrintStream out) {
        deleteRecursively(work);
        Clock clock = Clock.systemUTC();
        ReportPrinter printer = new ReportPrinter(out);
        out.println("crmsync demo: work folder " + work);

        InMemoryCrm crm = new InMemoryCrm(clock);
        new ContactGenerator(42).contacts(contacts).forEach(crm::add);
        out.printf(Locale.ROOT, "the CRM holds %,d contacts, some of which the sync must skip%n", crm.size());

        try (FileSyncStateStore state = FileSyncStateStore.open(work.resolve("state"))) {
            FileProfileStore profiles = FileProfileStore.open(work.resolve("profiles"), clock);
            SyncEngine engine = new SyncEngine(clock);
            SyncPolicy policy = SyncPolicy.builder().mode(SyncMode.CONSERVATIVE).allowedCountries("US")
                    .defaultOptInPath("web-opt-in").sourceCode("crmsync demo").dailyApiQuota(5_000).build();
            SyncJob inbound = SyncJob.builder("demo-inbound").connector(crm).profiles(profiles).state(state)
                    .mapping(FieldMapping.defaults()).policy(policy).direction(SyncDirection.INBOUND)
                    .connectionId("demo-crm").listener(printer.progress("inbound", 1_000)).build();
            SyncJob outbound = inbound.toBuilder().direction(SyncDirection.OUTBOUND)
                    .listener(printer.progress("outbound", 100)).build();
            SyncJob outboundJob = SyncJob.builder("demo-outbound").connector(crm).profiles(profiles).state(state)
                    .mapping(outbound.mapping()).policy(policy).direction(SyncDirection.OUTBOUND)
                    .connectionId("demo-crm").listener(outbound.listener()).build();

            SyncReport in1 = engine.run(inbound);
            printer.print("1. inbound (conservative): CRM -> application", in1);
            printer.write(in1, work.resolve("reports"), "1-inbound");

            int changed = localActivity(profiles);
            out.printf(Locale.ROOT, "%nthe application records %d new sign-ups and opt-outs%n", changed);
            SyncReport out1 = engine.run(outboundJob);
            printer.print("2. outbound: opt-ins and opt-outs -> CRM", out1);
            printer.write(out1, work.resolve("reports"), "2-outbound");

            SyncReport in2 = engine.run(inbound);
            printer.print("3. inbound again: only what changed since the cursor", in2);
            printer.write(in2, work.resolve("reports"), "3-inbound-again");
            SyncReport out2 = engine.run(outboundJob);
            printer.print("4. outbound again: nothing new to send", out2);
            printer.write(out2, work.resolve("reports"), "4-outbound-again");

            out.printf(Locale.ROOT, "%nprofiles in the application: %,d; contacts in the CRM: %,d%n", profiles.size(),
                    crm.size());
            out.println("state, profiles and reports are in " + work);
            return List.of(in1, out1, in2, out2);
        }
    }

    /** Some people text STOP, some sign up on the web: the changes the outbound sync sends. */
    private static int localActivity(FileProfileStore profiles) {
        return profiles.inTransaction(() -> {
            int n = 0;
            List<Profile> firstFew;
            try (Stream<Profile> all = profiles.all()) {
                firstFew = all.filter(p -> p.optInStatus() == OptInStatus.OPTED_IN).limit(25).toList();
            }
            for (Profile p : firstFew) {
                profiles.update(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build(), LocalChange.APPLICATION);
                n++;
            }
            for (int i = 0; i < 40; i++) {
                profiles.create(Profile.builder().firstName("Web").lastName("Signup " + i)
                        .email("web.signup" + i + "@example.org").phoneNumber("+1608555" + (7000 + i))
                        .optInStatus(OptInStatus.OPTED_IN).build(), java.util.Optional.of("web-opt-in"),
                        LocalChange.APPLICATION);
                n++;
            }
            return n;
        });
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not empty the demo folder " + dir, e);
        }
    }

}
