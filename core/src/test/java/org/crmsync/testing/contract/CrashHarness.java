package org.crmsync.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.spi.Sleeper;
import org.crmsync.store.FileProfileStore;
import org.crmsync.store.FileSyncStateStore;
import org.crmsync.store.LocalChange;

/**
 * Kills a sync with SIGKILL at a random point and runs it again: the final state must be the one a
 * clean run reaches. The sync runs in a child JVM ({@link CrashChild}) against the parent's simulator,
 * with file-backed stores; the parent kills it when the simulator has received the N-th request (N
 * drawn from a seeded generator, so a failure can be replayed with {@code -Dcrmsync.crash.seed}), then
 * runs both jobs to completion in-process on the same folder and compares people on both sides.
 */
public final class CrashHarness {
    /** CRM people and new local opt-ins each trial starts with. */
    static final int CRM_PEOPLE = 120;
    static final int NEW_OPT_INS = 260;

    private final Supplier<ContractCrm> crms;

    /** @param crms a new simulator on real time, for each trial */
    CrashHarness(Supplier<ContractCrm> crms) {
        this.crms = crms;
    }

    /** The final state of one side: people by email. */
    record State(Map<String, Person> crm, Map<String, Person> local, boolean linked) {
    }

    /** Runs {@code trials} killed runs (after one clean run) and checks each against the clean state. */
    void run(int trials, long seed, Path work) throws Exception {
        State clean = trial(work.resolve("clean"), -1);
        assertThat(clean.crm()).hasSize(CRM_PEOPLE + NEW_OPT_INS);
        SplittableRandom random = new SplittableRandom(seed);
        for (int t = 0; t < trials; t++) {
            int killAt = 1 + random.nextInt(Math.max(1, cleanRequests));
            State crashed = trial(work.resolve("trial-" + t), killAt);
            System.out.printf("crash harness, seed %d, trial %d: killed at request %d of a clean run's %d (child %s)%n",
                    seed, t, killAt, cleanRequests, lastExit == 0 ? "had finished" : "killed");
            assertThat(crashed).as("trial %d of seed %d: killed at request %d of %d; replay with"
                    + " -Dcrmsync.crash.seed=%d", t, seed, killAt, cleanRequests, seed).isEqualTo(clean);
        }
    }

    private int cleanRequests;
    private int lastExit;

    /** One trial: seed, run the child (killed at request {@code killAt}, or never when negative), finish. */
    private State trial(Path folder, int killAt) throws Exception {
        Files.createDirectories(folder);
        try (ContractCrm crm = crms.get()) {
            for (int i = 1; i <= CRM_PEOPLE; i++) {
                crm.add(Person.number(i).withOptIn(i % 5 != 0));
            }
            try (FileProfileStore profiles = FileProfileStore.open(folder.resolve("profiles"))) {
                profiles.inTransaction(() -> {
                    for (int i = 1000; i < 1000 + NEW_OPT_INS; i++) {
                        Person p = Person.number(i);
                        profiles.create(Profile.builder().firstName(p.firstName()).lastName(p.lastName())
                                .email(p.email()).phoneNumber(p.phone()).optInStatus(OptInStatus.OPTED_IN).build(),
                                Optional.empty(), LocalChange.APPLICATION);
                    }
                    return null;
                });
            }
            Path config = folder.resolve("connector.properties");
            CrashChild.writeConfig(config, crm.config());
            int before = crm.requests();
            Process child = startChild(crm, config, folder);
            if (killAt > 0) {
                while (child.isAlive() && crm.requests() - before < killAt) {
                    Thread.onSpinWait();
                }
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally, no flush
            }
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child ended").isTrue();
            lastExit = child.exitValue();
            if (killAt < 0) {
                assertThat(child.exitValue()).as(Files.readString(folder.resolve("child.log"))).isZero();
                cleanRequests = crm.requests() - before;
            }
            finish(crm, folder);
            return state(crm, folder);
        }
    }

    private static Process startChild(ContractCrm crm, Path config, Path folder) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", classPath,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", CrashChild.class.getName(), crm.providerId(),
                config.toString(), folder.toString(), Boolean.toString(crm.policyFromPreset())));
        File log = folder.resolve("child.log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** Both jobs again, in-process on the same folder, until each completes. */
    private static void finish(ContractCrm crm, Path folder) {
        ConnectorProvider provider = ConnectorRegistry.load().provider(crm.providerId());
        ConnectorContext context = ConnectorContext.forLocalSimulator(Clock.systemUTC(), Sleeper.SYSTEM);
        try (Connector connector = ConnectorRegistry.load().create(crm.providerId(), crm.config(), context);
                FileProfileStore profiles = FileProfileStore.open(folder.resolve("profiles"));
                FileSyncStateStore state = FileSyncStateStore.open(folder.resolve("state"))) {
            SyncEngine engine = new SyncEngine(Clock.systemUTC(), Duration.ZERO);
            for (int round = 0; round < 2; round++) {
                for (SyncDirection direction : new SyncDirection[] {SyncDirection.INBOUND, SyncDirection.OUTBOUND}) {
                    SyncReport r = engine.run(CrashChild.job(provider, crm.config(), crm.policyFromPreset(), direction,
                            connector, profiles, state));
                    assertThat(r.status()).as(r.summary()).isEqualTo(RunStatus.COMPLETED);
                }
            }
        }
    }

    private static State state(ContractCrm crm, Path folder) {
        Map<String, Person> crmPeople = new LinkedHashMap<>();
        Map<String, String> crmIds = new LinkedHashMap<>();
        crm.people().forEach((id, p) -> {
            String email = p.emailKey().orElse("?" + id);
            assertThat(crmPeople.put(email, p)).as("two CRM records with one email: a duplicate").isNull();
            crmIds.put(email, id);
        });
        Map<String, Person> local = new LinkedHashMap<>();
        boolean linked = true;
        try (FileProfileStore profiles = FileProfileStore.open(folder.resolve("profiles"));
                Stream<Profile> all = profiles.all()) {
            for (Profile p : (Iterable<Profile>) all::iterator) {
                String email = p.email().orElseThrow().toLowerCase(Locale.ROOT);
                assertThat(local.put(email, new Person(p.firstName().orElse(null), p.lastName().orElse(null),
                        p.email().orElse(null), p.phoneNumber().orElse(null),
                        p.optInStatus() == OptInStatus.OPTED_IN))).as("two local profiles with one email").isNull();
                linked &= p.constituentId().equals(Optional.ofNullable(crmIds.get(email)));
            }
        }
        return new State(crmPeople, local, linked);
    }
}
