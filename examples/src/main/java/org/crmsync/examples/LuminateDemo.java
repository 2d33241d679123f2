package org.crmsync.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.activity.Activity;
import org.crmsync.activity.InMemoryActivitySource;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.luminate.LuminateCrm;
import org.crmsync.model.OptInStatus;
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
import org.crmsync.store.LocalChange;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;

/**
 * A round of the Luminate seed's sync, against the simulated site and the FTPS host (a real FTP server with
 * explicit TLS on this machine) the connector's tests use: at 02:00 tonight's changed-records file is not
 * there yet, so the run ends waiting; at 03:00 it is, and each constituent it names is read through
 * getUser and applied (conservative mode: the Mobile Opt-in field true and a mobile number, each skip with
 * its reason); the daytime run sends new web sign-ups (one of them Luminate has already: linked by its
 * email, not duplicated) and opt-outs; the platform's gifts and calls go as an offline donation and a call
 * alert action; then the next night's file, which holds the sync's own writes too, changes nothing, and a
 * second daytime run finds nothing new.
 */
public final class LuminateDemo {
    static final int PEOPLE = 40;

    private LuminateDemo() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    /** The demo's reports in the order they ran. */
    static Map<String, SyncReport> run(PrintStream out) {
        MutableClock clock = MutableClock.at("2026-09-01T02:00:00Z");
        ReportPrinter printer = new ReportPrinter(out);
        Map<String, SyncReport> ran = new LinkedHashMap<>();
        try (LuminateCrm lum = LuminateCrm.start(clock)) {
            lum.site.publishOnChange(false); // the nightly job writes the file, at 03:00
            for (int i = 0; i < PEOPLE; i++) {
                String mobile = i % 10 == 3 ? null : String.format(Locale.ROOT, "+1415%07d", 2_000_000 + i);
                lum.site.addConstituent("First" + i, "Last" + i, "person" + i + "@example.org", mobile,
                        i % 10 == 5 ? Boolean.FALSE : i % 10 == 7 ? null : Boolean.TRUE);
            }
            long existing = lum.site.addConstituent("Maya", "Okafor", "maya.okafor@example.org", null, null);
            out.printf(Locale.ROOT, "simulated Luminate on %s, its changed-records file on %s: %d constituents"
                    + " (every tenth without a mobile number, every tenth opted out, every tenth never asked)%n",
                    lum.site.baseUrl(), lum.ftps.url(LuminateCrm.FILE), PEOPLE + 1);

            ConnectorRegistry registry = ConnectorRegistry.load();
            ConnectorProvider provider = registry.provider("luminate");
            // Plain HTTP only because the site is simulated on this machine; the file comes over FTPS.
            ConnectorContext context = ConnectorContext.forLocalSimulator(clock, new RecordingSleeper(clock));
            InMemoryProfileStore sms = new InMemoryProfileStore(clock);
            InMemorySyncStateStore state = new InMemorySyncStateStore();
            SyncEngine engine = new SyncEngine(clock);
            SyncPolicy conservative = provider.policyPreset().mode(SyncMode.CONSERVATIVE).defaultOptInPath("web")
                    .build();
            try (Connector crm = registry.create("luminate", lum.config(), context)) {
                SyncJob.Builder job = SyncJob.builder("luminate").connectionId("luminate-demo").connector(crm)
                        .profiles(sms).state(state).mapping(provider.defaultMapping(lum.config())).policy(conservative);
                SyncJob inbound = job.id("luminate-nightly").direction(SyncDirection.INBOUND).build();
                SyncJob outbound = job.id("luminate-daytime").direction(SyncDirection.OUTBOUND).build();

                step(engine, inbound, "1-inbound", "Luminate -> SMS platform, 02:00: tonight's file is not there yet",
                        printer, ran);
                clock.set(Instant.parse("2026-09-01T03:00:00Z"));
                lum.site.publish();
                step(engine, inbound, "2-inbound", "Luminate -> SMS platform, 03:00: the file, each constituent read"
                        + " through getUser", printer, ran);

                clock.set(Instant.parse("2026-09-01T13:00:00Z"));
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
                        + " (Luminate has one of them already), 1 texts a keyword (no email)%n");
                step(engine, outbound, "3-outbound", "SMS platform -> Luminate, 13:00: opt-ins and opt-outs", printer,
                        ran);
                out.printf(Locale.ROOT, "Maya Okafor is constituent %d on both sides: %s%n", existing,
                        sms.findByEmail("maya.okafor@example.org").get(0).constituentId().orElse("?"));

                String maya = sms.findByEmail("maya.okafor@example.org").get(0).localId().orElseThrow();
                InMemoryActivitySource activities = new InMemoryActivitySource();
                Map<String, String> gift = new LinkedHashMap<>();
                gift.put("form_id", "2561");
                gift.put("level_id", "4003");
                gift.put("amount", "25.00");
                gift.put("donor_email", "maya.okafor@example.org");
                gift.put("first_name", "Maya");
                gift.put("last_name", "Okafor");
                gift.put("billing_street_1", "12 Elm St");
                gift.put("billing_city", "Madison");
                gift.put("billing_state", "WI");
                gift.put("billing_postal_code", "53703");
                activities.add(Activity.of("gift-1001", "donation", maya, clock.instant(), gift));
                activities.add(Activity.of("call-2001", "call", maya, clock.instant(), Map.of("alert_id", "41",
                        "recipient_id", "S000148")));
                SyncJob activitySync = job.id("luminate-activities").direction(SyncDirection.ACTIVITIES)
                        .activities(activities).activityMapping(provider.defaultActivityMapping()).build();
                step(engine, activitySync, "4-activities", "SMS platform -> Luminate: a gift (addOfflineDonation) and"
                        + " a call (takeAction), each once", printer, ran);

                clock.set(Instant.parse("2026-09-02T03:00:00Z"));
                lum.site.publish();
                step(engine, inbound, "5-inbound-again", "Luminate -> SMS platform, next night: the new file, with the"
                        + " sync's own writes", printer, ran);
                step(engine, outbound, "6-outbound-again", "SMS platform -> Luminate: nothing new", printer, ran);
            }
            out.printf(Locale.ROOT, "%nSMS platform: %d profiles; Luminate: %d constituents, %d gift(s), %d call(s);"
                    + " %d API requests in all: %s%n", sms.size(), lum.site.all().size(), lum.site.gifts().size(),
                    lum.site.actions().size(), lum.site.totalRequests(), lum.site.callCounts());
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
