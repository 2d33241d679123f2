package org.crmsync.examples;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;

/**
 * Builds a connector from a properties file and environment variables. The file names the
 * connector ({@code connector=salesforce}) and its keys; an environment variable
 * {@code CRMSYNC_<KEY>} (key upper-cased, dots as underscores, e.g. {@code CRMSYNC_SECURITY_TOKEN})
 * overrides the file, which is where secrets belong. {@code examples/config/<connector>.properties}
 * are templates listing every key.
 */
public final class ConfigFromProperties {
    private ConfigFromProperties() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args.length > 0 ? args[0] : "crmsync.properties");
        try (Connector connector = connector(ConnectorRegistry.load(), file, System.getenv())) {
            System.out.println("configured " + connector.providerId() + " from " + file);
        }
    }

    /**
     * The connector {@code file} configures, with the environment's {@code CRMSYNC_*} variables over the
     * file's values, created with {@link ConnectorContext#defaults()} (HTTPS only).
     *
     * @throws org.crmsync.CrmSyncException listing every problem (unknown keys, missing required
     *     keys, bad values) when the configuration is not usable
     */
    static Connector connector(ConnectorRegistry registry, Path file, Map<String, String> env) {
        return connector(registry, file, env, ConnectorContext.defaults());
    }

    /** As {@link #connector(ConnectorRegistry, Path, Map)}, with the clock, sleeper and HTTP rule given. */
    static Connector connector(ConnectorRegistry registry, Path file, Map<String, String> env,
            ConnectorContext context) {
        requireNonNull(env, "env");
        requireNonNull(context, "context");
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(requireNonNull(file, "file"), StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read connector configuration " + file, e);
        }
        String id = props.getProperty("connector");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(file + ": set connector=<id>, one of " + registry.ids());
        }
        ConnectorProvider provider = registry.provider(id.trim());
        Map<String, String> config = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            if (!name.equals("connector") && !props.getProperty(name).isBlank()) {
                config.put(name, props.getProperty(name).trim());
            }
        }
        for (ConfigKey key : provider.configKeys()) {
            String fromEnv = env.get(envName(key.name()));
            if (fromEnv != null && !fromEnv.isBlank()) {
                config.put(key.name(), fromEnv);
            }
        }
        return registry.create(provider.id(), config, context);
    }

    /** {@code security.token} -> {@code CRMSYNC_SECURITY_TOKEN}. */
    static String envName(String key) {
        return "CRMSYNC_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
