package org.crmsync.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.everyaction.EveryActionMapping;
import org.crmsync.everyaction.EveryActionSimulator;
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
 * A round of the EveryAction seed's sync, against the simulated VAN the connector's tests use: the
 * nightly inbound run asks for a changed-entity export job and finds it still running, so it ends
 * waiting; the next run picks the same job up and applies it (conservative mode: opted-in people with
 * a US cell phone only, each skip with its reason); the daytime outbound run sends new web sign-ups
 * through findOrCreate (one of them VAN already has: matched, not duplicated) and opt-outs to their
 * phone's SMS opt-in; then a second round finds nothing new: the next night's job looks back 48 hours (the
 * seed's window), so it reads the people of the night before again, without a difference, and VAN leaves
 * the people the sync itself created out of it ({@code excludeChangesFromSelf}).
 *
 * <p>The simulator and the sync share a test clock, moved by hand: the export job completes ten
 * minutes after it was asked for, without ten minutes of waiting.
 */
public final class EveryActionDemo {
    static final int PEOPLE = 60;

    private EveryActionDemo() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    /** The demo's reports in the order they ran. */
    static Map<String, SyncReport> run(PrintStream out) {
        MutableClock clock = MutableClock.at("2026-09-01T02:00:00Z");
        ReportPrinter printer = new ReportPrinter(out);
        Map<String, SyncReport> ran = new LinkedHashMap<>();
        try (EveryActionSimulator van = EveryActionSimulator.start(clock)) {
            van.jobDelay(Duration.ofMinutes(10)).rowsPerFile(25);
            for (int i = 0; i < PEOPLE; i++) {
                String cell = i % 10 == 3 ? null : String.format(Locale.ROOT, "+1415%07d", 2_000_000 + i);
                long vanId = van.addPerson("First" + i, "Last" + i, "person" + i + "@example.org", cell,
                        i % 10 == 5 ? "O" : i % 10 == 7 ? "U" : "I");
                if (i % 10 == 9) {
                    van.address(vanId, "1 Rue Main", "Montreal", "QC", "H2X 1Y4", "CA");
                }
            }
            long existing = van.addPerson("Maya", "Okafor", "maya.okafor@example.org", null, "U");
            out.printf(Locale.ROOT, "simulated EveryAction on %s: %d people (every tenth without a phone, every"
                    + " tenth in Canada, every tenth opted out and every tenth unknown)%n", van.apiHost(), PEOPLE + 1);

            ConnectorRegistry registry = ConnectorRegistry.load();
            // Plain HTTP only because VAN is simulated on this machine; a real application uses defaults().
            ConnectorContext context = ConnectorContext.forLocalSimulator(clock, new RecordingSleeper(clock));
            InMemoryProfileStore sms = new InMemoryProfileStore(clock);
            InMemorySyncStateStore state = new InMemorySyncStateStore();
            SyncEngine engine = new SyncEngine(clock);
            SyncPolicy conservative = registry.provider("everyaction").policyPreset().mode(SyncMode.CONSERVATIVE)
                    .defaultOptInPath("web").build();
            try (Connector crm = registry.create("everyaction", van.config(), context)) {
                SyncJob.Builder job = SyncJob.builder("everyaction").connectionId("everyaction-demo").connector(crm)
                        .profiles(sms).state(state).mapping(EveryActionMapping.defaults()).policy(conservative);
                SyncJob inbound = job.id("everyaction-nightly").direction(SyncDirection.INBOUND).build();
                SyncJob outbound = job.id("everyaction-daytime").direction(SyncDirection.OUTBOUND).build();

                step(engine, inbound, "1-inbound", "EveryAction -> SMS platform, 02:00: the export job is asked for",
                        printer, ran);
                clock.advance(Duration.ofMinutes(10));
                step(engine, inbound, "2-inbound-picked-up", "EveryAction -> SMS platform, 02:10: the same job,"
                        + " complete", printer, ran);

                clock.set(java.time.Instant.parse("2026-09-01T13:00:00Z"));
                for (int i = 0; i < 3; i++) {
                    Profile p = sms.findByEmail("person" + i + "@example.org").get(0);
                    sms.update(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build(), LocalChange.APPLICATION);
                }
                for (int i = 0; i < 4; i++) {
                    signUp(sms, "Web" + i, "Signup", "web" + i + "@example.org", String.format(Locale.ROOT,
                            "+1608555%04d", 7000 + i));
                }
                signUp(sms, "Maya", "Okafor", "maya.okafor@example.org", "+16085557100");
                signUp(sms, "Keyword", "Texter", null, "+16085557101");
                out.printf(Locale.ROOT, "%nmeanwhile in the SMS platform: 3 people text STOP, 5 sign up on the web"
                        + " (VAN has one of them already), 1 texts a keyword (no email)%n");
                step(engine, outbound, "3-outbound", "SMS platform -> EveryAction, 13:00: opt-ins and opt-outs",
                        printer, ran);
                out.printf(Locale.ROOT, "Maya Okafor is VAN ID %d on both sides: %s%n", existing,
                        sms.findByEmail("maya.okafor@example.org").get(0).constituentId().orElse("?"));

                clock.set(java.time.Instant.parse("2026-09-02T02:00:00Z"));
                step(engine, inbound, "4-inbound-again", "EveryAction -> SMS platform, next night: the 48-hour"
                        + " look-back asks for the last two days again", printer, ran);
                clock.advance(Duration.ofMinutes(10));
                step(engine, inbound, "5-inbound-again-picked-up", "EveryAction -> SMS platform: the job, complete; the sync's"
                        + " own writes (the 4 people it created) are not in it",
                        printer, ran);
                step(engine, outbound, "6-outbound-again", "SMS platform -> EveryAction: nothing new", printer, ran);
            }
            out.printf(Locale.ROOT, "%nSMS platform: %d profiles; EveryAction: %d people; %d API calls in all: %s%n",
                    sms.size(), van.all().size(), van.totalRequests(), van.callCounts());
            return ran;
        }
    }

    private static void signUp(InMemoryProfileStore sms, String first, String last, String email, String phone) {
        sms.create(Profile.builder().firstName(first).lastName(last).email(email).phoneNumber(phone)
                .optInStatus(OptInStatus.OPTED_IN).build(), Optional.empty(), LocalChange.APPLICATION);
    }

    private static void step(SyncEngine engine, SyncJob job, String name, String title, ReportPrinter printer,
            Map<String, SyncReport> ran) {
        printer.starting(title);
        SyncReport report = engine.run(job);
        printer.print(title, report);
        ran.put(name, report);
    }
}
