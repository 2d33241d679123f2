package org.crmsync.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.crmsync.SyncDirection;
import org.crmsync.activecampaign.ActiveCampaignConfig;
import org.crmsync.activecampaign.ActiveCampaignMapping;
import org.crmsync.activecampaign.ActiveCampaignSimulator;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.Authority;
import org.crmsync.policy.MatchKey;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.Outcome;
import org.crmsync.report.ReportSink;
import org.crmsync.report.SyncReport;
import org.crmsync.salesforce.SalesforceSimulator;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.spi.Sleeper;
import org.crmsync.store.FileProfileStore;
import org.crmsync.store.FileSyncStateStore;
import org.crmsync.store.LocalChange;

/**
 * The README's demo: the Salesforce and ActiveCampaign connectors, created through the {@code
 * ServiceLoader} registry as an application creates them, against the simulators their tests use,
 * started on this machine. Two applications keep their profiles in file-backed stores in the work
 * folder:
 * <ul>
 *   <li>an SMS platform and a Salesforce org (the seed's Salesforce data sync): an inbound sync in
 *       conservative mode, then local opt-ins and opt-outs pushed outbound;
 *   <li>a student-information system, the system of record, and an ActiveCampaign account (the SONIS
 *       seed): an import of the contacts created only in ActiveCampaign as prospects, then a full export
 *       of the students.
 * </ul>
 * Then everything runs again, and the second round finds nothing new to do. Each report is printed as
 * a summary and written in full as JSON and CSV into {@code <work>/reports}.
 *
 * <p>Usage: {@code DemoSync [work-folder] [salesforce-contacts]}; defaults {@code target/crmsync-demo}
 * and 3,000. The student-information system holds a third as many students as Salesforce has
 * contacts.
 */
public final class DemoSync {
    /** Written into the work folder, so the demo only ever empties a folder it made itself. */
    static final String MARKER = ".crmsync-demo";
    static final String AC_LIST = "Prospects";
    /** People who filled in ActiveCampaign's web form; the last of them unsubscribed again. */
    static final int AC_SIGNUPS = 5;
    /** Local changes between the two Salesforce syncs: people who text STOP, and web sign-ups. */
    static final int OPT_OUTS = 25;
    static final int WEB_SIGNUPS = 40;
    /**
     * ActiveCampaign allows 5 requests per second per account (its rate-limits reference), and the
     * connector keeps to {@code rate.limit}, 5 by default. The simulator on this machine belongs to no
     * account, so the demo raises both the connector's limit and the simulator's to this rate: the
     * client-side limiter still spaces every call, and the simulator still answers 429 to anything
     * faster. Against a real account, leave {@code rate.limit} at 5.
     */
    static final int AC_DEMO_RATE_LIMIT = 25;

    private DemoSync() {
    }

    public static void main(String[] args) {
        Path work = Paths.get(args.length > 0 ? args[0] : "target/crmsync-demo").toAbsolutePath().normalize();
        int contacts = args.length > 1 ? Integer.parseInt(args[1].replace(",", "").replace("_", "")) : 3_000;
        run(work, contacts, System.out);
    }

    /**
     * Runs the demo in {@code work} (emptied first) with {@code contacts} Salesforce contacts and returns
     * the reports in the order they ran, by the name of their report files.
     */
    static Map<String, SyncReport> run(Path work, int contacts, PrintStream out) {
        long started = System.nanoTime();
        prepareWorkFolder(work);
        Path reports = work.resolve("reports");
        ReportPrinter printer = new ReportPrinter(out);
        Map<String, SyncReport> ran = new LinkedHashMap<>();
        out.println("crmsync demo: the work folder is " + work + " (emptied first)");

        // The connectors, the simulators and the engine share one clock; the connectors really wait
        // (rate limiting, the ActiveCampaign importer) through the system sleeper.
        Clock clock = Clock.systemUTC();
        // Plain HTTP is allowed only because both CRMs are simulators on this machine; a real
        // application uses ConnectorContext.defaults(), which refuses anything but HTTPS.
        ConnectorContext context = ConnectorContext.forLocalSimulator(clock, Sleeper.SYSTEM);
        ConnectorRegistry registry = ConnectorRegistry.load();
        SyncEngine engine = new SyncEngine(clock);
        ContactGenerator generator = new ContactGenerator(42);

        Path smsFolder = work.resolve("profiles/sms-platform");
        Path sisFolder = work.resolve("profiles/student-records");
        try (SalesforceSimulator sf = SalesforceSimulator.start(clock);
                ActiveCampaignSimulator ac = ActiveCampaignSimulator.start(clock);
                FileSyncStateStore state = FileSyncStateStore.open(work.resolve("state"));
                FileProfileStore sms = FileProfileStore.open(smsFolder, clock);
                FileProfileStore sis = FileProfileStore.open(sisFolder, clock)) {
            out.println("simulated Salesforce org on " + sf.baseUrl() + ", simulated ActiveCampaign account on "
                    + ac.apiUrl());

            // ----- the SMS platform and its Salesforce org -----
            generator.salesforceContacts(contacts).forEach(sf::addContact);
            out.printf(Locale.ROOT, "Salesforce holds %,d contacts; the sync must skip %,d without a mobile number,"
                    + " %,d with a landline or an invalid number, %,d in Canada, %,d not opted in and %,d entered"
                    + " twice%n", sf.contactCount(), everyTwelfth(contacts, 3), everyTwelfth(contacts, 5),
                    everyTwelfth(contacts, 7), everyTwelfth(contacts, 9), everyTwelfth(contacts, 11));
            out.println("the SMS platform starts with no profiles, in " + work.relativize(smsFolder));

            // ----- the student-information system and its ActiveCampaign account -----
            String listId = ac.addList(AC_LIST);
            ac.addSonisFields();
            ac.rateLimit(AC_DEMO_RATE_LIMIT);
            List<ContactGenerator.Signup> signups = generator.crmSignups(AC_SIGNUPS);
            for (int i = 0; i < signups.size(); i++) {
                ContactGenerator.Signup s = signups.get(i);
                String id = ac.addContact(s.email(), s.firstName(), s.lastName());
                ac.edit(id, "phone", s.mobile());
                ac.listStatus(id, listId, i == signups.size() - 1 ? 2 : 1);   // 1 active, 2 unsubscribed
            }
            List<Profile> students = generator.students(Math.max(10, contacts / 3));
            sis.inTransaction(() -> {
                students.forEach(p -> sis.create(p, Optional.empty(), LocalChange.APPLICATION));
                return null;
            });
            out.printf(Locale.ROOT, "ActiveCampaign holds %d contacts from its web form (1 of them unsubscribed),"
                    + " a list \"%s\" and the SONIS custom fields; the student-information system holds %,d"
                    + " students, %s to %s, in %s%n", ac.contactCount(), AC_LIST, sis.size(),
                    students.get(0).localId().orElseThrow(), students.get(students.size() - 1).localId().orElseThrow(),
                    work.relativize(sisFolder));

            Map<String, String> acConfig = new LinkedHashMap<>(ac.config(AC_LIST));
            acConfig.put(ActiveCampaignConfig.RATE_LIMIT, Integer.toString(AC_DEMO_RATE_LIMIT));
            // The simulator finishes a bulk import a second after it is queued; check once a second.
            acConfig.put(ActiveCampaignConfig.IMPORT_POLL_INTERVAL, "1s");

            try (Connector salesforce = registry.create("salesforce", sf.connectorConfig(), context);
                    Connector activecampaign = registry.create("activecampaign", acConfig, context)) {
                SyncPolicy conservative = SyncPolicy.builder()
                        .mode(SyncMode.CONSERVATIVE)
                        .allowedCountries("US")
                        .defaultOptInPath("web-opt-in")
                        .sourceCode("crmsync demo")
                        .dailyApiQuota(1_000)
                        .build();
                SyncJob sfInbound = SyncJob.builder("salesforce-inbound").connectionId("acme-salesforce")
                        .connector(salesforce).profiles(sms).state(state)
                        .mapping(registry.provider("salesforce").defaultMapping()).policy(conservative)
                        .direction(SyncDirection.INBOUND)
                        .listener(printer.progress("Salesforce inbound", 1_000)).build();
                SyncJob sfOutbound = SyncJob.builder("salesforce-outbound").connectionId("acme-salesforce")
                        .connector(salesforce).profiles(sms).state(state).mapping(sfInbound.mapping())
                        .policy(conservative).direction(SyncDirection.OUTBOUND)
                        .listener(printer.progress("Salesforce outbound", 25)).build();

                SyncPolicy systemOfRecord = SyncPolicy.builder()
                        .mode(SyncMode.LIBERAL)
                        .authority(Authority.LOCAL_SYSTEM_OF_RECORD)
                        .requireMobileNumber(false)                 // students need no mobile number
                        .inboundMatchOrder(MatchKey.CONSTITUENT_ID, MatchKey.LOCAL_ID, MatchKey.NAME_AND_EMAIL)
                        .outboundMatchOrder(MatchKey.LOCAL_ID, MatchKey.NAME_AND_EMAIL)
                        .build();
                SyncJob acImport = SyncJob.builder("activecampaign-import").connectionId("sis-activecampaign")
                        .connector(activecampaign).profiles(sis).state(state)
                        .mapping(ActiveCampaignMapping.sonisPreset()).policy(systemOfRecord)
                        .direction(SyncDirection.INBOUND)
                        .inboundDefault(ActiveCampaignMapping.SONIS_CREATED_BY,
                                ActiveCampaignMapping.CREATED_BY_ACTIVECAMPAIGN)
                        .listener(printer.progress("ActiveCampaign import", 250)).build();
                SyncJob acExport = SyncJob.builder("activecampaign-export").connectionId("sis-activecampaign")
                        .connector(activecampaign).profiles(sis).state(state).mapping(acImport.mapping())
                        .policy(systemOfRecord).direction(SyncDirection.OUTBOUND).fullExport(true)
                        .listener(printer.progress("ActiveCampaign export", 250)).build();

                out.printf(Locale.ROOT, "%n######## first round ########%n");
                step(engine, sfInbound, "1-salesforce-inbound",
                        "Salesforce -> SMS platform: inbound, conservative (US only, opted-in only)", printer,
                        reports, ran);
                localActivity(sms);
                out.printf(Locale.ROOT, "%nmeanwhile in the SMS platform: %d people text STOP, %d sign up on the"
                        + " web, 1 texts a keyword (no email), 1 signs up without a last name%n", OPT_OUTS,
                        WEB_SIGNUPS);
                step(engine, sfOutbound, "2-salesforce-outbound", "SMS platform -> Salesforce: outbound opt-ins"
                        + " and opt-outs", printer, reports, ran);
                step(engine, acImport, "3-activecampaign-import", "ActiveCampaign -> student-information system:"
                        + " import of new contacts as prospects", printer, reports, ran);
                step(engine, acExport, "4-activecampaign-export", "student-information system -> ActiveCampaign:"
                        + " full export, system of record", printer, reports, ran);

                out.printf(Locale.ROOT, "%n######## second round: the same four runs again ########%n");
                step(engine, sfInbound, "5-salesforce-inbound-again", "Salesforce -> SMS platform: only what"
                        + " changed since the cursor", printer, reports, ran);
                step(engine, sfOutbound, "6-salesforce-outbound-again", "SMS platform -> Salesforce: nothing new"
                        + " to send", printer, reports, ran);
                step(engine, acImport, "7-activecampaign-import-again", "ActiveCampaign -> student-information"
                        + " system: no new contacts", printer, reports, ran);
                step(engine, acExport, "8-activecampaign-export-again", "student-information system ->"
                        + " ActiveCampaign: everything already up to date", printer, reports, ran);
            }

            long newWork = ran.entrySet().stream().skip(4).mapToLong(e -> e.getValue().count(Outcome.CREATED)
                    + e.getValue().count(Outcome.UPDATED)).sum();
            out.printf(Locale.ROOT, "%n######## done ########%n");
            out.printf(Locale.ROOT, "second round: %d records created or updated on either side: %s%n", newWork,
                    newWork == 0 ? "nothing new to do" : "see the reports");
            out.printf(Locale.ROOT, "SMS platform: %,d profiles; Salesforce: %,d contacts (%,d API calls)%n",
                    sms.size(), sf.contactCount(), sf.totalRequests());
            out.printf(Locale.ROOT, "student-information system: %,d profiles; ActiveCampaign: %,d contacts (%,d"
                    + " requests, %d answered 429)%n", sis.size(), ac.contactCount(), ac.totalRequests(),
                    ac.throttled());
            out.println("full reports, JSON and CSV: " + reports);
            out.println("profile stores: " + work.resolve("profiles") + ", sync state: " + work.resolve("state"));
            out.printf(Locale.ROOT, "finished in %.1f s%n", (System.nanoTime() - started) / 1e9);
            return ran;
        }
    }

    private static void step(SyncEngine engine, SyncJob job, String name, String title, ReportPrinter printer,
            Path reports, Map<String, SyncReport> ran) {
        printer.starting(title);
        SyncReport report;
        // Every row goes to the CSV file as it happens; the report itself keeps a sample of them.
        try {
            Files.createDirectories(reports);
            try (Writer csv = Files.newBufferedWriter(reports.resolve(name + ".csv"), StandardCharsets.UTF_8)) {
                report = engine.run(job.toBuilder().reportSink(ReportSink.csv(csv)).build());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the report into " + reports, e);
        }
        printer.print(title, report);
        printer.write(report, reports, name);
        ran.put(name, report);
    }

    /** Rows {@code i} below {@code count} with {@code i % 12 == kind}: how many of each kind the generator made. */
    private static int everyTwelfth(int count, int kind) {
        return Math.max(0, (count - kind + 11) / 12);
    }

    /**
     * What happens in the SMS platform between two syncs: some people text STOP, some sign up on the web,
     * one texts a keyword (a phone number but no email: not created in Salesforce), one signs up without
     * a last name (Salesforce requires one).
     */
    private static void localActivity(FileProfileStore profiles) {
        profiles.inTransaction(() -> {
            List<Profile> optedIn;
            try (Stream<Profile> all = profiles.all()) {
                optedIn = all.filter(p -> p.optInStatus() == OptInStatus.OPTED_IN).limit(OPT_OUTS).toList();
            }
            for (Profile p : optedIn) {
                profiles.update(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build(), LocalChange.APPLICATION);
            }
            for (int i = 1; i <= WEB_SIGNUPS; i++) {
                signUp(profiles, Profile.builder().firstName("Jordan").lastName("Webb " + i)
                        .email("jordan.webb" + i + "@example.net").phoneNumber("+1608555" + (7000 + i)));
            }
            signUp(profiles, Profile.builder().phoneNumber("+16085557100"));
            signUp(profiles, Profile.builder().firstName("Avery").email("avery@example.net")
                    .phoneNumber("+16085557101"));
            return null;
        });
    }

    private static void signUp(FileProfileStore profiles, Profile.Builder person) {
        profiles.create(person.optInStatus(OptInStatus.OPTED_IN).build(), Optional.of("web-opt-in"),
                LocalChange.APPLICATION);
    }

    /**
     * Creates {@code work}, or empties it when it is a folder this demo made before; refuses to empty any
     * other folder that is not empty, so a mistyped argument never deletes someone's files.
     */
    static void prepareWorkFolder(Path work) {
        try {
            if (Files.isDirectory(work)) {
                boolean empty;
                try (Stream<Path> entries = Files.list(work)) {
                    empty = entries.findAny().isEmpty();
                }
                if (!empty && !Files.exists(work.resolve(MARKER))) {
                    throw new IllegalArgumentException(work + " is not empty and was not made by this demo (it has"
                            + " no " + MARKER + " file), so the demo will not empty it; delete it yourself or name"
                            + " a new folder");
                }
                try (Stream<Path> paths = Files.walk(work)) {
                    for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                        if (!p.equals(work)) {
                            Files.delete(p);
                        }
                    }
                }
            }
            Files.createDirectories(work);
            Files.writeString(work.resolve(MARKER), "made by org.crmsync.examples.DemoSync; emptied on each run\n");
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the demo folder " + work, e);
        }
    }
}
