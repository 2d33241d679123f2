package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;

/**
 * A connector's configuration: string values for the keys its provider declares, checked against
 * those declarations. Secret values are never printed: {@link #toString()} masks them, and problems
 * name keys, never values of secret keys.
 */
public final class ConnectorConfig {
    private final Map<String, ConfigKey> keys;
    private final Map<String, String> values;

    private ConnectorConfig(Map<String, ConfigKey> keys, Map<String, String> values) {
        this.keys = keys;
        this.values = values;
    }

    /**
     * Checks {@code values} against {@code declared} and reports every problem at once: unknown keys,
     * missing required keys, and values that are not of the key's type.
     */
    public static List<ConfigProblem> validate(List<ConfigKey> declared, Map<String, String> values) {
        requireNonNull(declared, "declared");
        requireNonNull(values, "values");
        Map<String, ConfigKey> byName = index(declared);
        List<ConfigProblem> problems = new ArrayList<>();
        for (String key : values.keySet()) {
            if (!byName.containsKey(key)) {
                problems.add(new ConfigProblem(key, "unknown key; known keys are " + byName.keySet()));
            }
        }
        for (ConfigKey key : declared) {
            String value = values.get(key.name());
            Optional<String> set = Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
            if (set.isEmpty() && key.required() && key.defaultValue().isEmpty()) {
                problems.add(new ConfigProblem(key.name(), "is required: " + key.doc()));
                continue;
            }
            Optional<String> typeProblem = set.flatMap(v -> typeProblem(key, v));
            typeProblem.ifPresent(m -> problems.add(new ConfigProblem(key.name(), m)));
            if (typeProblem.isEmpty()) {
                String shown = key.secret() ? "the value" : "'" + set.orElse("") + "'";
                for (ConfigConstraint c : key.constraints()) {
                    c.problem(set, shown, values).ifPresent(m -> problems.add(new ConfigProblem(key.name(), m)));
                }
            }
        }
        return problems;
    }

    /**
     * Validates and wraps {@code values}.
     *
     * @throws CrmSyncException with code {@code INVALID_CONFIGURATION} listing every problem
     */
    public static ConnectorConfig of(String connectorId, List<ConfigKey> declared, Map<String, String> values) {
        List<ConfigProblem> problems = validate(declared, values);
        if (!problems.isEmpty()) {
            throw invalid(connectorId, problems);
        }
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                copy.put(k, v.trim());
            }
        });
        return new ConnectorConfig(index(declared), Map.copyOf(copy));
    }

    /** The exception for a list of configuration problems, one per line. */
    public static CrmSyncException invalid(String connectorId, List<ConfigProblem> problems) {
        StringJoiner lines = new StringJoiner("\n  ", connectorId + " configuration has " + problems.size()
                + (problems.size() == 1 ? " problem:\n  " : " problems:\n  "), "");
        problems.forEach(p -> lines.add(p.toString()));
        return new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, lines.toString());
    }

    /** The value, or the key's default; empty when neither is set. */
    public Optional<String> get(String key) {
        ConfigKey declared = declared(key);
        String value = values.get(key);
        return value != null ? Optional.of(value) : declared.defaultValue();
    }

    /** The value of a required key (or one with a default). */
    public String require(String key) {
        return get(key).orElseThrow(() -> new CrmSyncException(ErrorCode.INVALID_CONFIGURATION,
                key + " is required: " + declared(key).doc()));
    }

    public OptionalLong getLong(String key) {
        return get(key).map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
    }

    public boolean getBoolean(String key) {
        return get(key).map(Boolean::parseBoolean).orElse(false);
    }

    public Optional<Duration> getDuration(String key) {
        return get(key).map(ConnectorConfig::parseDuration);
    }

    public List<String> getList(String key) {
        return get(key).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    /** A secret key's value, masked wherever it is printed; empty when not set. */
    public Optional<Secret> secret(String key) {
        ConfigKey declared = declared(key);
        if (!declared.secret()) {
            throw new IllegalArgumentException("config key '" + key + "' is not declared secret");
        }
        return get(key).map(Secret::of);
    }

    /** Secret values of this configuration, for redacting them from messages. */
    public List<String> secretValues() {
        List<String> secrets = new ArrayList<>();
        keys.values().stream().filter(ConfigKey::secret).forEach(k -> {
            String v = values.get(k.name());
            if (v != null) {
                secrets.add(v);
            }
        });
        return secrets;
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "ConnectorConfig{", "}");
        values.forEach((k, v) -> j.add(k + "=" + (keys.get(k).secret() ? "****" : v)));
        return j.toString();
    }

    private ConfigKey declared(String key) {
        ConfigKey declared = keys.get(key);
        if (declared == null) {
            throw new IllegalArgumentException("config key '" + key + "' is not declared");
        }
        return declared;
    }

    private static Map<String, ConfigKey> index(List<ConfigKey> declared) {
        Map<String, ConfigKey> byName = new LinkedHashMap<>();
        for (ConfigKey k : declared) {
            if (byName.put(k.name(), k) != null) {
                throw new IllegalArgumentException("config key '" + k.name() + "' is declared twice");
            }
        }
        return byName;
    }

    private static Optional<String> typeProblem(ConfigKey key, String value) {
        String shown = key.secret() ? "the value" : "'" + value + "'";
        switch (key.type()) {
            case INT:
            case LONG:
                try {
                    long n = Long.parseLong(value);
                    if (n < 0) {
                        return Optional.of(shown + " must not be negative");
                    }
                    if (key.type() == ConfigKey.Type.INT && n > Integer.MAX_VALUE) {
                        return Optional.of(shown + " is too large");
                    }
                } catch (NumberFormatException e) {
                    return Optional.of(shown + " is not a whole number");
                }
                return Optional.empty();
            case BOOLEAN:
                return value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")
                        ? Optional.empty() : Optional.of(shown + " must be true or false");
            case URL:
                try {
                    URI uri = new URI(value);
                    if (uri.getScheme() == null || uri.getHost() == null
                            || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
                        return Optional.of(shown + " is not an absolute http(s) URL");
                    }
                } catch (URISyntaxException e) {
                    return Optional.of(shown + " is not a URL: " + e.getReason());
                }
                return Optional.empty();
            case HOST:
                return value.matches("([a-z][a-z0-9+.-]*://)?[A-Za-z0-9.-]+(:[0-9]{1,5})?/?")
                        ? Optional.empty() : Optional.of(shown + " is not a host name such as crm.example.org");
            case DURATION:
                try {
                    parseDuration(value);
                    return Optional.empty();
                } catch (IllegalArgumentException e) {
                    return Optional.of(shown + " is not a duration such as PT48H or 48h");
                }
            default:
                return Optional.empty();
        }
    }

    /** ISO-8601 ({@code PT48H}) or a number with a unit: {@code 500ms}, {@code 30s}, {@code 15m}, {@code 48h}, {@code 2d}. */
    static Duration parseDuration(String value) {
        String v = value.trim();
        try {
            if (v.startsWith("P") || v.startsWith("p")) {
                return Duration.parse(v);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            switch (v.charAt(v.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                case 'd': return Duration.ofDays(n);
                default: throw new IllegalArgumentException("unknown duration unit in '" + value + "'");
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration", e);
        }
    }
}
