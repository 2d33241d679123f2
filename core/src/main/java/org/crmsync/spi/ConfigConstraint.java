package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A rule a configuration value must keep beyond its type, declared with its {@link ConfigKey} so that
 * {@link ConnectorConfig#validate} reports it with every other problem at once, and a connector writes
 * no validation code of its own for it: a range, a set of choices, a pattern, a suffix, or a value
 * required when another key has some value. Problems name the key's value only when it is not secret.
 */
public interface ConfigConstraint {
    /**
     * The problem with the key's value, or empty when it keeps the rule.
     *
     * @param value the trimmed value, or empty when the key is not set (defaults are not applied)
     * @param shown how the value may be quoted in a message ({@code 'x'}, or "the value" for a secret)
     * @param config the whole configuration, for rules about other keys
     */
    Optional<String> problem(Optional<String> value, String shown, Map<String, String> config);

    /** The rule for people, for documentation ("200 to 2000", "one of api, export"). */
    String describe();

    /** A whole number from {@code min} to {@code max}. */
    static ConfigConstraint range(long min, long max, String why) {
        return new ConfigConstraint() {
            @Override
            public Optional<String> problem(Optional<String> value, String shown, Map<String, String> config) {
                return value.filter(v -> v.matches("-?[0-9]{1,18}")).map(Long::parseLong).filter(n -> n < min || n > max)
                        .map(n -> shown + " is outside " + min + " to " + max + (why.isEmpty() ? "" : ", " + why));
            }

            @Override
            public String describe() {
                return min + " to " + max;
            }
        };
    }

    /** A duration from {@code min} to {@code max}. */
    static ConfigConstraint durationRange(Duration min, Duration max) {
        return new ConfigConstraint() {
            @Override
            public Optional<String> problem(Optional<String> value, String shown, Map<String, String> config) {
                return value.flatMap(v -> {
                    try {
                        Duration d = ConnectorConfig.parseDuration(v);
                        return d.compareTo(min) < 0 || d.compareTo(max) > 0
                                ? Optional.of(shown + " is outside " + min + " to " + max) : Optional.empty();
                    } catch (IllegalArgumentException notADuration) {
                        return Optional.empty(); // the type check says so
                    }
                });
            }

            @Override
            public String describe() {
                return min + " to " + max;
            }
        };
    }

    /** One of these choices, ignoring case. */
    static ConfigConstraint oneOf(String... choices) {
        List<String> allowed = Arrays.stream(choices).map(c -> c.toLowerCase(Locale.ROOT)).toList();
        return new ConfigConstraint() {
            @Override
            public Optional<String> problem(Optional<String> value, String shown, Map<String, String> config) {
                return value.filter(v -> !allowed.contains(v.toLowerCase(Locale.ROOT)))
                        .map(v -> shown + " is not " + describe());
            }

            @Override
            public String describe() {
                return allowed.size() == 1 ? allowed.get(0) : "one of " + String.join(", ", allowed);
            }
        };
    }

    /** Matches {@code pattern} whole; {@code expected} says what it should look like ("a field API name such as LeadSource"). */
    static ConfigConstraint matching(Pattern pattern, String expected) {
        requireNonNull(pattern, "pattern");
        requireNonNull(expected, "expected");
        return new ConfigConstraint() {
            @Override
            public Optional<String> problem(Optional<String> value, String shown, Map<String, String> config) {
                return value.filter(v -> !pattern.matcher(v).matches()).map(v -> shown + " is not " + expected);
            }

            @Override
            public String describe() {
                return expected;
            }
        };
    }

    /** Passes {@code ok}; {@code expected} says what a right value is ("an API URL such as ..."). */
    static ConfigConstraint satisfying(java.util.function.Predicate<String> ok, String expected) {
        requireNonNull(ok, "ok");
        requireNonNull(expected, "expected");
        return new ConfigConstraint() {
            @Override
            public Optional<String> problem(Optional<String> value, String shown, Map<String, String> config) {
                return value.filter(v -> !ok.test(v)).map(v -> shown + " is not " + expected);
            }

            @Override
            public String describe() {
                return expected;
            }
        };
    }

    /** Ends in {@code suffix}, ignoring case; {@code advice} says how to get a right value. */
    static ConfigConstraint endsWith(String suffix, String advice) {
        String lower = suffix.toLowerCase(Locale.ROOT);
        return new ConfigConstraint() {
            @Override
            public Optional<String> problem(Optional<String> value, String shown, Map<String, String> config) {
                return value.filter(v -> !v.toLowerCase(Locale.ROOT).endsWith(lower))
                        .map(v -> shown + " does not end in " + suffix + (advice.isEmpty() ? "" : "; " + advice));
            }

            @Override
            public String describe() {
                return "ends in " + suffix;
            }
        };
    }

    /**
     * Required when {@code otherKey} is set to one of {@code values} (ignoring case; its default counts
     * when {@code otherKeyDefault} is one of them and the key is unset).
     */
    static ConfigConstraint requiredWhen(String otherKey, String otherKeyDefault, String... values) {
        List<String> when = Arrays.stream(values).map(v -> v.toLowerCase(Locale.ROOT)).toList();
        return new ConfigConstraint() {
            @Override
            public Optional<String> problem(Optional<String> value, String shown, Map<String, String> config) {
                String other = Optional.ofNullable(config.get(otherKey)).map(String::trim).filter(v -> !v.isEmpty())
                        .orElse(otherKeyDefault == null ? "" : otherKeyDefault);
                return value.isEmpty() && when.contains(other.toLowerCase(Locale.ROOT))
                        ? Optional.of("is required when " + otherKey + " is " + other) : Optional.empty();
            }

            @Override
            public String describe() {
                return "required when " + otherKey + " is " + String.join(" or ", when);
            }
        };
    }
}
