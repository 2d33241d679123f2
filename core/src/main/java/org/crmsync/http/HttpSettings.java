package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.crmsync.spi.ConfigConstraint;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.ConnectorConfig;

/**
 * How long a connector waits for a CRM and how often it tries: the connect and read timeouts, the
 * attempts per call, the deadline of one call with all its attempts and waits, and the longest {@code
 * Retry-After} honoured. Declared once here as config keys ({@link #configKeys()}) that every
 * connector's provider includes in its own, checked by {@link #validate(Map)}, read by {@link
 * #from(ConnectorConfig)} and applied by {@link HttpClients.Builder#settings(HttpSettings)}. Immutable.
 */
public final class HttpSettings {
    public static final String CONNECT_TIMEOUT = "http.connect.timeout";
    public static final String READ_TIMEOUT = "http.read.timeout";
    public static final String MAX_ATTEMPTS = "http.max.attempts";
    public static final String CALL_DEADLINE = "http.call.deadline";
    public static final String MAX_RETRY_AFTER = "http.max.retry.after";

    /**
     * Connecting (TCP and TLS) to a CRM's data centre takes well under a second; 10 s rides out a slow
     * network, and a host that does not answer at all is known soon.
     */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The longest silence while waiting for an answer (also used for sending the request). The calls
     * the connectors make (a query page, a describe, a batch of 200 writes, an import request) are
     * answered in seconds; 30 s without a byte means the CRM has stopped answering, and a slower
     * server can be given more.
     */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Attempts per call, the first included: three retries with exponential backoff ride out a brief
     * outage, a dropped connection or a burst of 429s; more mostly make a failing run last longer.
     */
    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    /**
     * One call with all its attempts and the waits between them. Without it, a CRM that stops answering
     * holds a run for attempts times the read timeout plus the backoff (four minutes with a 60 s read
     * timeout); with it the call fails after 2 minutes, the run reports it, and the next run resumes.
     */
    public static final Duration DEFAULT_CALL_DEADLINE = Duration.ofMinutes(2);
    /**
     * The longest {@code Retry-After} waited out. ActiveCampaign's 429s ask for about a second; a CRM
     * asking for more than a minute wants a pause a sync should take by running later, and a wait must
     * leave time within the call deadline for the next attempt.
     */
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private static final ConfigConstraint POSITIVE = ConfigConstraint.durationRange(Duration.ofMillis(1),
            Duration.ofDays(1));
    private static final List<ConfigKey> KEYS = List.of(
            ConfigKey.optional(CONNECT_TIMEOUT, ConfigKey.Type.DURATION, "10s", "How long to wait for a connection"
                    + " to the CRM (TCP and TLS), e.g. 10s").constrained(POSITIVE),
            ConfigKey.optional(READ_TIMEOUT, ConfigKey.Type.DURATION, "30s", "How long the CRM may stay silent"
                    + " while it sends its answer (or while the request is sent) before the attempt fails, e.g. 30s")
                    .constrained(POSITIVE),
            ConfigKey.optional(MAX_ATTEMPTS, ConfigKey.Type.INT, Integer.toString(DEFAULT_MAX_ATTEMPTS), "Attempts"
                    + " per call, the first included (1: no retry). Retries follow a connection error, a 429 or a"
                    + " 5xx, with exponential backoff; a create the CRM does not deduplicate is retried after a 429"
                    + " only").constrained(ConfigConstraint.range(1, 10_000, "1 means no retry")),
            ConfigKey.optional(CALL_DEADLINE, ConfigKey.Type.DURATION, "2m", "The most one call may take with all"
                    + " its attempts and the waits between them; when it passes, the call fails and the run"
                    + " reports it, e.g. 2m").constrained(POSITIVE),
            ConfigKey.optional(MAX_RETRY_AFTER, ConfigKey.Type.DURATION, "60s", "The longest Retry-After the CRM"
                    + " may ask for and be waited out; beyond it the call fails as rate limited, e.g. 60s"));
    private static final Set<String> NAMES = KEYS.stream().map(ConfigKey::name).collect(Collectors.toSet());
    private static final HttpSettings DEFAULTS = builder().build();

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxAttempts;
    private final Duration callDeadline;
    private final Duration maxRetryAfter;

    private HttpSettings(Builder b) {
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.maxAttempts = b.maxAttempts;
        this.callDeadline = b.callDeadline;
        this.maxRetryAfter = b.maxRetryAfter;
    }

    /** The keys every connector declares besides its own, with their defaults. */
    public static List<ConfigKey> configKeys() {
        return KEYS;
    }

    /**
     * The settings of a connector's configuration, whose declared keys include {@link #configKeys()};
     * keys not set take their defaults. Values are expected to have passed {@link #validate(Map)}.
     *
     * @throws IllegalArgumentException when a value is out of range
     */
    public static HttpSettings from(ConnectorConfig config) {
        requireNonNull(config, "config");
        return builder()
                .connectTimeout(config.getDuration(CONNECT_TIMEOUT).orElse(DEFAULT_CONNECT_TIMEOUT))
                .readTimeout(config.getDuration(READ_TIMEOUT).orElse(DEFAULT_READ_TIMEOUT))
                .maxAttempts(Math.toIntExact(config.getLong(MAX_ATTEMPTS).orElse(DEFAULT_MAX_ATTEMPTS)))
                .callDeadline(config.getDuration(CALL_DEADLINE).orElse(DEFAULT_CALL_DEADLINE))
                .maxRetryAfter(config.getDuration(MAX_RETRY_AFTER).orElse(DEFAULT_MAX_RETRY_AFTER))
                .build();
    }

    /** The defaults (see each {@code DEFAULT_} constant for why). */
    public static HttpSettings defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().connectTimeout(connectTimeout).readTimeout(readTimeout).maxAttempts(maxAttempts)
                .callDeadline(callDeadline).maxRetryAfter(maxRetryAfter);
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The read timeout, also used as the write timeout. */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** Attempts per call, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The most one call may take, all attempts and waits together. */
    public Duration callDeadline() {
        return callDeadline;
    }

    /** The longest {@code Retry-After} waited out. */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    @Override
    public String toString() {
        return "HttpSettings[connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", maxAttempts="
                + maxAttempts + ", callDeadline=" + callDeadline + ", maxRetryAfter=" + maxRetryAfter + "]";
    }

    /** A duration for a message: {@code 500 ms}, {@code 30 s}, {@code 90 s}, {@code 2 min}, {@code 2 min 30 s}. */
    static String format(Duration d) {
        if (d.compareTo(Duration.ofSeconds(1)) < 0 && !d.isZero()) {
            return d.toMillis() + " ms";
        }
        long seconds = d.getSeconds();
        if (seconds < 120) {
            return seconds + " s";
        }
        return seconds % 60 == 0 ? seconds / 60 + " min" : seconds / 60 + " min " + seconds % 60 + " s";
    }

    /** Builds {@link HttpSettings}; values are checked in {@link #build()}. Starts from the defaults. */
    public static final class Builder {
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration callDeadline = DEFAULT_CALL_DEADLINE;
        private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;

        private Builder() {
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = requireNonNull(readTimeout, "readTimeout");
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder callDeadline(Duration callDeadline) {
            this.callDeadline = requireNonNull(callDeadline, "callDeadline");
            return this;
        }

        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = requireNonNull(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid value, by its config key */
        public HttpSettings build() {
            List<String> problems = new ArrayList<>();
            if (connectTimeout.isZero() || connectTimeout.isNegative()) {
                problems.add(CONNECT_TIMEOUT + " must be positive, was " + connectTimeout);
            }
            if (readTimeout.isZero() || readTimeout.isNegative()) {
                problems.add(READ_TIMEOUT + " must be positive, was " + readTimeout);
            }
            if (maxAttempts < 1) {
                problems.add(MAX_ATTEMPTS + " must be 1 or more, was " + maxAttempts);
            }
            if (callDeadline.isZero() || callDeadline.isNegative()) {
                problems.add(CALL_DEADLINE + " must be positive, was " + callDeadline);
            }
            if (maxRetryAfter.isNegative()) {
                problems.add(MAX_RETRY_AFTER + " must not be negative, was " + maxRetryAfter);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid HTTP settings: " + String.join("; ", problems));
            }
            return new HttpSettings(this);
        }
    }
}
