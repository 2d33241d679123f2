package org.crmsync.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.testing.contract.Person;

/**
 * The project's benchmark: in one run, side by side, for each connector against its simulator, the API
 * calls per 1,000 new opt-ins, opt-outs and inbound records, and the records/s of an outbound push at a
 * set response latency, each against its bound; then the inbound pipeline against a raw commons-csv
 * parse of the same file, interleaved; then the peak heap of a 1,000,000-row inbound sync under
 * {@code -Xmx128m}, in a JVM of its own; then the PostgreSQL state store's cursor saves, quota
 * reservations and report rows per second, and the heap of that 1,000,000-row sync writing every
 * report row to the database ({@link JdbcStoreBenchmark}, each in a JVM of its own). Timed figures are
 * min / median / max of several rounds.
 * Figures only: nothing is asserted (timings on a shared machine are noisy; tests assert call counts).
 *
 * <p>Arguments: rounds (default 3), pipeline rows (200,000), heap rows (1,000,000), the parts to run
 * (default {@code calls,outbound,inbound,pipeline,heap,state,stateheap}; {@code inbound} times a read of 2,000
 * changed contacts at the same latency, for the CRMs that state its bound), and the connectors to measure
 * (provider ids, comma-separated; default all). Run it with its
 * class path on the command line, so the heap run can start a JVM with the same one (see README).
 */
public final class Benchmark {
    static final Duration LATENCY = Duration.ofMillis(50);
    static final int CALLS_BOUND = 12;
    static final double OUTBOUND_RATIO_BOUND = 0.5;
    static final double PIPELINE_RATIO_BOUND = 0.2;
    static final int PUSHED = 5_000;
    static final int READ = 2_000;

    private final PrintStream out;
    private final int rounds;

    private Benchmark(PrintStream out, int rounds) {
        this.out = out;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int pipelineRows = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int heapRows = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        List<String> parts = List.of((args.length > 3 ? args[3] : "calls,outbound,inbound,pipeline,heap,state,stateheap")
                .split(","));
        Benchmark b = new Benchmark(System.out, rounds);
        b.out.printf(Locale.ROOT, "crmsync benchmark: %d rounds, %d CPUs, Java %s, max heap %,d MB%n%n", rounds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        Map<String, Supplier<BenchCrm>> all = new LinkedHashMap<>();
        all.put("salesforce", BenchCrm.Salesforce::new);
        all.put("activecampaign", BenchCrm.ActiveCampaign::new);
        all.put("everyaction", BenchCrm.EveryAction::new);
        all.put("actionkit", BenchCrm.ActionKit::new);
        all.put("luminate", BenchCrm.Luminate::new);
        // A fifth argument names the connectors to measure (comma-separated provider ids); default all.
        List<String> only = args.length > 4 ? List.of(args[4].split(",")) : List.copyOf(all.keySet());
        List<Supplier<BenchCrm>> crms = all.entrySet().stream().filter(e -> only.contains(e.getKey()))
                .map(Map.Entry::getValue).toList();
        if (parts.contains("calls")) {
            b.calls(crms);
        }
        if (parts.contains("outbound")) {
            b.outbound(crms);
        }
        if (parts.contains("inbound")) {
            b.inbound(crms);
        }
        if (parts.contains("pipeline")) {
            b.pipeline(pipelineRows);
        }
        if (parts.contains("heap")) {
            b.heap(heapRows);
        }
        if (parts.contains("state")) {
            b.child("", List.of(JdbcStoreBenchmark.class.getName(), "throughput", "4"));
        }
        if (parts.contains("stateheap")) {
            b.out.printf(Locale.ROOT, "Heap of a %,d-row inbound sync writing every report row to PostgreSQL, in a"
                    + " JVM with -Xmx128m%n", heapRows);
            b.child("-Xmx128m", List.of(JdbcStoreBenchmark.class.getName(), "heap", Integer.toString(heapRows)));
        }
    }

    /** Runs a benchmark program in a JVM of its own (with the same class path) and prints what it prints. */
    private void child(String heapOption, List<String> program) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        if (!heapOption.isEmpty()) {
            command.add(heapOption);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(program);
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith(JdbcStoreBenchmark.SUMMARY)) {
                    out.println("  " + line.substring(JdbcStoreBenchmark.SUMMARY.length()));
                } else if (!line.contains(" INFO ") && !line.contains(" WARN ")) {
                    out.println(line);
                }
            }
        }
        try {
            out.printf(Locale.ROOT, "  (exit %d)%n%n", child.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.destroyForcibly();
        }
    }

    // ----- API calls per 1,000 records -----

    /** The calls of 1,000 new opt-ins, then of opting them all out, then of reading 1,000 changed people. */
    private void calls(List<Supplier<BenchCrm>> crms) {
        out.println("API calls per 1,000 records (each a run on a new connector: its login and preflight count)");
        out.printf(Locale.ROOT, "  %-16s %-22s %-22s %-22s%n", "connector", "new opt-ins", "opt-outs", "inbound");
        for (Supplier<BenchCrm> make : crms) {
            List<Long> optIns = new ArrayList<>();
            List<Long> optOuts = new ArrayList<>();
            List<Long> inbound = new ArrayList<>();
            String name = "";
            int optInBound = CALLS_BOUND;
            for (int round = 0; round < rounds; round++) {
                try (BenchCrm crm = make.get()) {
                    name = crm.name();
                    optInBound = crm.optInCallsBound();
                    Local local = new Local(crm);
                    for (int i = 1; i <= 1000; i++) {
                        local.signUp(Person.number(i));
                    }
                    optIns.add(checked(local.run(crm.connector(), SyncDirection.OUTBOUND)).apiCallsUsed());
                    local.optOutEveryone();
                    optOuts.add(checked(local.runAfterAPause(crm.connector(), SyncDirection.OUTBOUND)).apiCallsUsed());
                }
                try (BenchCrm crm = make.get()) {
                    for (int i = 1; i <= 1000; i++) {
                        crm.add(Person.number(i));
                    }
                    inbound.add(checked(new Local(crm).run(crm.connector(), SyncDirection.INBOUND)).apiCallsUsed());
                }
            }
            out.printf(Locale.ROOT, "  %-16s %-22s %-22s %-22s%n", name, counted(optIns, optInBound),
                    counted(optOuts, name.equals("activecampaign") ? CALLS_BOUND : -1), counted(inbound, -1));
        }
        out.println();
    }

    /** Exact counts: one figure when every round made the same calls. */
    private static String counted(List<Long> calls, int bound) {
        long min = calls.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = calls.stream().mapToLong(Long::longValue).max().orElse(0);
        String figure = min == max ? Long.toString(min) : min + "/" + median(calls.stream().map(Long::doubleValue)
                .toList()) + "/" + max;
        return bound < 0 ? figure : figure + " (bound " + bound + (max <= bound ? ", met)" : ", NOT met)");
    }

    // ----- records/s at a set latency -----

    private void outbound(List<Supplier<BenchCrm>> crms) {
        out.printf(Locale.ROOT, "Outbound push of %,d new opt-ins, every answer %d ms late (records/s, min / median /"
                + " max, after a round that is not counted)%n", PUSHED, LATENCY.toMillis());
        for (Supplier<BenchCrm> make : crms) {
            List<Double> rates = new ArrayList<>();
            String name = "";
            double bound = 0;
            String why = "";
            long calls = 0;
            int inFlight = 1;
            OptionalInt refused = OptionalInt.empty();
            int pushed = PUSHED;
            for (int round = 0; round <= rounds; round++) { // round 0 warms the JIT up and is not counted
                try (BenchCrm crm = make.get()) {
                    name = crm.name();
                    bound = crm.outboundBound(LATENCY);
                    why = crm.outboundBoundWhy(LATENCY);
                    Local local = new Local(crm);
                    pushed = crm.pushed();
                    for (int i = 1; i <= pushed; i++) {
                        local.signUp(Person.number(i));
                    }
                    crm.latency(LATENCY);
                    Connector connector = crm.connector();
                    inFlight = connector.maxCallsInFlight();
                    long t0 = System.nanoTime();
                    SyncReport report = checked(local.run(connector, SyncDirection.OUTBOUND));
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (round > 0) {
                        rates.add(report.recordsRead() / seconds);
                    }
                    calls = report.apiCallsUsed();
                    refused = plus(refused, crm.refusedForRate());
                }
            }
            double median = median(rates);
            out.printf(Locale.ROOT, "  %-16s %,.0f / %,.0f / %,.0f  bound %,.0f (%s)  ratio %.2f (bound %.1f, %s);"
                    + " %d records, %d calls, %d in flight%s%n", name, min(rates), median, max(rates), bound, why,
                    median / bound, OUTBOUND_RATIO_BOUND, median / bound >= OUTBOUND_RATIO_BOUND ? "met" : "NOT met",
                    pushed, calls, inFlight, refusals(refused));
        }
        out.println();
    }

    /** An inbound read of {@link #READ} changed contacts at {@link #LATENCY}, for the CRMs that state a bound. */
    private void inbound(List<Supplier<BenchCrm>> crms) {
        out.printf(Locale.ROOT, "Inbound read of %,d changed contacts, every answer %d ms late (records/s, min / median /"
                + " max, after a round that is not counted)%n", READ, LATENCY.toMillis());
        for (Supplier<BenchCrm> make : crms) {
            List<Double> rates = new ArrayList<>();
            String name = "";
            OptionalDouble bound = OptionalDouble.empty();
            String why = "";
            long calls = 0;
            OptionalInt refused = OptionalInt.empty();
            int pushed = PUSHED;
            for (int round = 0; round <= rounds; round++) { // round 0 warms the JIT up and is not counted
                try (BenchCrm crm = make.get()) {
                    name = crm.name();
                    bound = crm.inboundBound(LATENCY);
                    why = crm.inboundBoundWhy(LATENCY);
                    if (bound.isEmpty()) {
                        break;
                    }
                    for (int i = 1; i <= READ; i++) {
                        crm.add(Person.number(i));
                    }
                    crm.latency(LATENCY);
                    long t0 = System.nanoTime();
                    SyncReport report = checked(new Local(crm).run(crm.connector(), SyncDirection.INBOUND));
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (round > 0) {
                        rates.add(report.recordsRead() / seconds);
                    }
                    calls = report.apiCallsUsed();
                    refused = plus(refused, crm.refusedForRate());
                }
            }
            if (bound.isEmpty()) {
                out.printf(Locale.ROOT, "  %-16s no bound stated; not measured%n", name);
                continue;
            }
            double median = median(rates);
            out.printf(Locale.ROOT, "  %-16s %,.0f / %,.0f / %,.0f  bound %,.0f (%s)  ratio %.2f; %d calls%s%n", name,
                    min(rates), median, max(rates), bound.getAsDouble(), why, median / bound.getAsDouble(), calls,
                    refusals(refused));
        }
        out.println();
    }

    /** ", N answered 429 in all rounds" for a simulator that keeps a rate limit. */
    private static String refusals(OptionalInt refused) {
        return refused.stream().mapToObj(n -> ", " + n + " answered 429 in all rounds").findFirst().orElse("");
    }

    private static OptionalInt plus(OptionalInt sum, OptionalInt more) {
        return more.isEmpty() ? sum : OptionalInt.of(sum.orElse(0) + more.getAsInt());
    }

    // ----- the inbound pipeline and the heap -----

    private void pipeline(int rows) throws IOException {
        out.printf(Locale.ROOT, "Inbound pipeline (export file, kit file stream, engine, in-memory store) against a"
                + " raw commons-csv parse of the same file, interleaved%n");
        double[] figures = InboundFileBenchmark.run(rows, rounds, false, out);
        double ratio = figures[3];
        out.printf(Locale.ROOT, "  median ratio %.3f (bound %.1f, %s)%n%n", ratio, PIPELINE_RATIO_BOUND,
                ratio >= PIPELINE_RATIO_BOUND ? "met" : "NOT met");
    }

    /** A JVM of its own with a 128 MB heap, the same class path, one round, a store that keeps nothing. */
    private void heap(int rows) throws IOException {
        out.printf(Locale.ROOT, "Heap of a %,d-row inbound sync with a store that keeps nothing, in a JVM with"
                + " -Xmx128m%n", rows);
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                InboundFileBenchmark.class.getName(), Integer.toString(rows), "1", "none")
                .redirectErrorStream(true).start();
        String summary = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith(InboundFileBenchmark.SUMMARY)) {
                    summary = line.substring(InboundFileBenchmark.SUMMARY.length());
                } else if (line.contains("OutOfMemoryError")) {
                    summary = "out of memory: " + line.trim();
                }
            }
        }
        try {
            int exit = child.waitFor();
            out.printf(Locale.ROOT, "  %s; exit %d (bound: finishes under -Xmx128m, %s)%n", summary == null
                    ? "no summary" : summary, exit, exit == 0 && summary != null && summary.contains("COMPLETED")
                    ? "met" : "NOT met");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.destroyForcibly();
        }
    }

    // ----- the application's side -----

    /** One application's profiles and sync state for one connector. */
    private static final class Local {
        private final BenchCrm crm;
        private final InMemoryProfileStore profiles = new InMemoryProfileStore();
        private final InMemorySyncStateStore state = new InMemorySyncStateStore();
        private final SyncEngine engine = new SyncEngine(Clock.systemUTC());
        private int runs;

        Local(BenchCrm crm) {
            this.crm = crm;
        }

        void signUp(Person p) {
            profiles.create(Profile.builder().firstName(p.firstName()).lastName(p.lastName()).email(p.email())
                    .phoneNumber(p.phone()).optInStatus(p.optedIn() ? OptInStatus.OPTED_IN : OptInStatus.OPTED_OUT)
                    .build(), Optional.empty(), LocalChange.APPLICATION);
        }

        void optOutEveryone() {
            List<Profile> everyone;
            try (Stream<Profile> all = profiles.all()) {
                everyone = all.toList();
            }
            profiles.inTransaction(() -> {
                everyone.forEach(p -> profiles.update(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build(),
                        LocalChange.APPLICATION));
                return null;
            });
        }

        /** A run of a job of its own (so its preflight runs), on {@code connector}, which it closes. */
        SyncReport run(Connector connector, SyncDirection direction) {
            try (connector) {
                SyncJob job = SyncJob.builder("bench-" + (++runs)).connectionId("bench").connector(connector)
                        .profiles(profiles).state(state).mapping(crm.mapping()).policy(crm.policy())
                        .direction(direction).build();
                return engine.run(job);
            }
        }

        /** As {@link #run}, after the CRM's {@link BenchCrm#pauseBeforeARun} (a run that follows another on one account). */
        SyncReport runAfterAPause(Connector connector, SyncDirection direction) {
            try {
                Thread.sleep(crm.pauseBeforeARun().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted before a benchmark run", e);
            }
            return run(connector, direction);
        }
    }

    private static SyncReport checked(SyncReport report) {
        if (report.status() != RunStatus.COMPLETED) {
            throw new IllegalStateException("a benchmark run ended " + report.status() + ": "
                    + report.message());
        }
        return report;
    }

    static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        sorted.sort(null);
        int n = sorted.size();
        return n == 0 ? 0 : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
