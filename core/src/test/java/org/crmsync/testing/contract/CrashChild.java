package org.crmsync.testing.contract;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.spi.Sleeper;
import org.crmsync.store.FileProfileStore;
import org.crmsync.store.FileSyncStateStore;

/**
 * The sync the crash harness kills: in its own JVM, against the parent's simulator, with file-backed
 * stores in a folder, the inbound and then the outbound job of the contract, as an application's
 * process would run them. Arguments: provider id, a properties file with the connector's
 * configuration, the folder, and whether the policy starts from the provider's preset.
 */
public final class CrashChild {
    static final String INBOUND_JOB = "crash-in";
    static final String OUTBOUND_JOB = "crash-out";
    static final String CONNECTION = "crash";

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String providerId = args[0];
        Map<String, String> config = readConfig(Path.of(args[1]));
        Path folder = Path.of(args[2]);
        boolean preset = Boolean.parseBoolean(args[3]);
        ConnectorProvider provider = ConnectorRegistry.load().provider(providerId);
        ConnectorContext context = ConnectorContext.forLocalSimulator(Clock.systemUTC(), Sleeper.SYSTEM);
        try (Connector connector = ConnectorRegistry.load().create(providerId, config, context);
                FileProfileStore profiles = FileProfileStore.open(folder.resolve("profiles"));
                FileSyncStateStore state = FileSyncStateStore.open(folder.resolve("state"))) {
            SyncEngine engine = new SyncEngine();
            for (SyncDirection direction : new SyncDirection[] {SyncDirection.INBOUND, SyncDirection.OUTBOUND}) {
                SyncReport report = engine.run(job(provider, config, preset, direction, connector, profiles, state));
                System.out.println(report.summary());
            }
        }
    }

    static SyncJob job(ConnectorProvider provider, Map<String, String> config, boolean preset,
            SyncDirection direction, Connector connector, org.crmsync.store.ProfileStore profiles,
            org.crmsync.store.SyncStateStore state) {
        return SyncJob.builder(direction == SyncDirection.INBOUND ? INBOUND_JOB : OUTBOUND_JOB).connectionId(CONNECTION)
                .connector(connector).profiles(profiles).state(state).mapping(provider.defaultMapping(config))
                .policy(ContractCrm.contractPolicy(provider, preset).build()).direction(direction).build();
    }

    static void writeConfig(Path file, Map<String, String> config) throws java.io.IOException {
        Properties p = new Properties();
        config.forEach(p::setProperty);
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "connector configuration for the crash harness's child");
        }
    }

    private static Map<String, String> readConfig(Path file) throws java.io.IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Map<String, String> config = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> config.put(k, p.getProperty(k)));
        return config;
    }
}
