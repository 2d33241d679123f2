package org.crmsync.examples;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.kit.FileChangeStream;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.RecordSource;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Capability;
import org.crmsync.spi.ChangeFeed;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.PreflightProblem;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncContext;
import org.crmsync.spi.SyncCursor;
import org.crmsync.spi.WriteResult;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.store.ProfileStore;

/**
 * The inbound pipeline on an export file: N generated rows (the default mapping's headings, one in ten
 * without a valid mobile number) read through the kit's {@link FileChangeStream} and the engine into
 * a profile store, against a raw commons-csv parse of the same file, interleaved, several rounds.
 * Prints records/s of both, their ratio, and the heap in use after each sync. With the store
 * {@code none} (it keeps nothing), run it under {@code -Xmx128m} to see that a million rows need a
 * fixed, small heap. Figures only; nothing is asserted.
 *
 * <p>Arguments: rows (default 1,000,000), rounds (3), store {@code memory} or {@code none}.
 */
public final class InboundFileBenchmark {
    /** The start of the line that sums up the last round, for a program that runs this one in its own JVM. */
    static final String SUMMARY = "summary: ";

    private InboundFileBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean keepNothing = args.length > 2 && args[2].equals("none");
        run(rows, rounds, keepNothing, System.out);
    }

    /** The figures: medians of sync records/s and raw parse records/s, then the rounds' ratios min/median/max. */
    static double[] run(int rows, int rounds, boolean keepNothing, PrintStream out) throws IOException {
        Path file = Files.createTempFile("crmsync-inbound-", ".csv");
        try {
            generate(file, rows);
            out.printf(Locale.ROOT, "inbound pipeline: %,d rows (%,d MB), store %s, max heap %,d MB%n", rows,
                    Files.size(file) >> 20, keepNothing ? "that keeps nothing" : "in memory",
                    Runtime.getRuntime().maxMemory() >> 20);
            List<Double> sync = new ArrayList<>();
            List<Double> raw = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            // With several rounds, a first one warms the JIT up and is not counted.
            for (int round = rounds > 1 ? 0 : 1; round <= rounds; round++) {
                double parse = rawParse(file, rows);
                if (round > 0) {
                    raw.add(parse);
                }
                ProfileStore store = keepNothing ? new KeepsNothing() : new InMemoryProfileStore();
                heapUsed();
                ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
                long t0 = System.nanoTime();
                SyncReport report = new SyncEngine().run(job(file, store));
                double seconds = (System.nanoTime() - t0) / 1e9;
                long peak = peakHeap();
                long heap = heapUsed();
                if (round > 0) {
                    sync.add(report.recordsRead() / seconds);
                    ratios.add(report.recordsRead() / seconds / parse);
                }
                out.printf(Locale.ROOT, "  %s: sync %,.0f records/s (%s, %,d read), raw parse %,.0f records/s,"
                        + " ratio %.3f; heap after the sync %,d MB%n", round == 0 ? "warm-up" : "round " + round,
                        report.recordsRead() / seconds,
                        report.status(), report.recordsRead(), parse, report.recordsRead() / seconds / parse, heap >> 20);
                if (round == rounds) {
                    out.printf(Locale.ROOT, "%s%s, %,d records read, peak heap in use %,d MB (the heap pools' peaks"
                            + " added up: an upper bound), %,d MB after, of at most %,d MB%n", SUMMARY, report.status(),
                            report.recordsRead(), peak >> 20, heap >> 20, Runtime.getRuntime().maxMemory() >> 20);
                }
            }
            double s = median(sync);
            double r = median(raw);
            // Each round's sync against the raw parse just before it, so a machine busier in one round
            // than another moves both figures of that round.
            out.printf(Locale.ROOT, "  sync min/median/max %,.0f / %,.0f / %,.0f records/s; raw parse median %,.0f;"
                    + " ratio of each round's pair min/median/max %.3f / %.3f / %.3f (bound 0.2)%n", min(sync), s,
                    max(sync), r, min(ratios), median(ratios), max(ratios));
            return new double[] {s, r, min(ratios), median(ratios), max(ratios)};
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static SyncJob job(Path file, ProfileStore store) {
        return job(file, store, new InMemorySyncStateStore());
    }

    static SyncJob job(Path file, ProfileStore store, org.crmsync.store.SyncStateStore state) {
        FieldMapping mapping = FieldMapping.defaults().toBuilder()
                .rule(org.crmsync.mapping.FieldRule.builder(StandardField.CONSTITUENT_ID.fieldName()).apiName("id")
                        .csvHeading("id").build())
                .build();
        return SyncJob.builder("bench-file").connectionId("bench").connector(new FileCrm(file)).profiles(store)
                .state(state).mapping(mapping)
                .policy(SyncPolicy.builder().mode(SyncMode.LIBERAL).allowedCountries("US").build())
                .direction(SyncDirection.INBOUND).build();
    }

    private static final String HEADER = "id,phone_number,profile_first_name,profile_last_name,profile_email,"
            + "address_street_1,address_street_2,address_city,state,address_postal_code,address_country,opt_in_status";

    static void generate(Path file, int rows) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.write('\n');
            for (int i = 0; i < rows; i++) {
                String phone = i % 10 == 9 ? "555" : String.format(Locale.ROOT, "+1415%03d%04d", 200 + (i / 10_000) % 700,
                        i % 10_000);
                w.write("C" + i + "," + phone + ",First" + i + ",Last" + i + ",person" + i + "@example.org," + i + " Main St,,Fresno,CA,"
                        + "93650,US," + (i % 3 == 0 ? "false" : "true"));
                w.write('\n');
            }
        }
    }

    /** commons-csv over the file, every value of every record touched: the floor of any CSV sync. */
    static double rawParse(Path file, int rows) throws IOException {
        long t0 = System.nanoTime();
        long chars = 0;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.builder().setReader(in).setFormat(CSVFormat.RFC4180).get()) {
            for (CSVRecord r : parser) {
                for (String v : r) {
                    chars += v.length();
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (chars == 0) {
            throw new IllegalStateException("nothing parsed");
        }
        return rows / seconds;
    }

    /** A CRM whose changes are one export file, read by the kit's file stream: no network. */
    private static final class FileCrm implements Connector {
        private final Path file;

        FileCrm(Path file) {
            this.file = file;
        }

        @Override
        public String providerId() {
            return "file";
        }

        @Override
        public String accountKey() {
            return "file/" + file.getFileName();
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public ConnectorSession open(SyncContext context) {
            return new ConnectorSession() {
                @Override
                public List<PreflightProblem> preflight() {
                    return List.of();
                }

                @Override
                public ChangeFeed readChanges(SyncCursor since) {
                    return ChangeFeed.ready(FileChangeStream.builder()
                            .files(List.of(FileChangeStream.FileSource.of(file.getFileName().toString(), () -> {
                                try {
                                    return Files.newInputStream(file);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            }))).requiredHeadings("id").mappedHeadings(context.mapping())
                            .records((row, cursor) -> RemoteRecord.of(row.get("id").orElse(""), row.values(),
                                    RecordSource.EXPORT_FILE, cursor, row.location()))
                            .build());
                }

                @Override
                public Map<String, List<RemoteRecord>> lookup(List<LookupRequest> requests) {
                    return Map.of();
                }

                @Override
                public List<WriteResult> write(List<RemoteWrite> batch) {
                    throw new UnsupportedOperationException("the benchmark only reads");
                }
            };
        }
    }

    /** An application's store that keeps nothing: no one is found, every create gets an id, nothing is logged. */
    static final class KeepsNothing implements ProfileStore {
        private final AtomicLong ids = new AtomicLong();

        @Override
        public Optional<Profile> findByLocalId(String localId) {
            return Optional.empty();
        }

        @Override
        public List<Profile> findByConstituentId(String constituentId) {
            return List.of();
        }

        @Override
        public List<Profile> findByPhone(String e164) {
            return List.of();
        }

        @Override
        public List<Profile> findByEmail(String email) {
            return List.of();
        }

        @Override
        public List<Profile> findByNameAndEmail(String firstName, String lastName, String email) {
            return List.of();
        }

        @Override
        public Profile create(Profile profile, Optional<String> optInPath, String origin) {
            return profile.toBuilder().localId("p" + ids.incrementAndGet()).build();
        }

        @Override
        public Profile update(Profile profile, String origin) {
            return profile;
        }

        @Override
        public List<LocalChange> changesSince(long afterSequence, int limit) {
            return List.of();
        }

        @Override
        public long lastSequence() {
            return 0;
        }

        @Override
        public Stream<Profile> all() {
            return Stream.empty();
        }
    }

    /** The most each heap pool held during the sync, added up (pools peak at different times: an upper bound). */
    static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        rt.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
