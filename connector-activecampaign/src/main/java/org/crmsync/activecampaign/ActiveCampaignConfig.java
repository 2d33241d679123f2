package org.crmsync.activecampaign;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.crmsync.http.HttpSettings;
import org.crmsync.spi.ConfigConstraint;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.ConnectorConfig;

/**
 * The ActiveCampaign connector's configuration, typed and checked. Build it from the string map an
 * application keeps with {@link #from(Map)}; {@link #validate(Map)} reports every problem at once.
 * {@link #toString()} never prints the token.
 */
public final class ActiveCampaignConfig {
    public static final String API_URL = "api.url";
    public static final String API_TOKEN = "api.token";
    public static final String LOCAL_ID_FIELD = "local.id.field";
    public static final String LIST = "list";
    public static final String RATE_LIMIT = "rate.limit";
    public static final String BULK_THRESHOLD = "bulk.threshold";
    public static final String IMPORT_POLL_INTERVAL = "import.poll.interval";
    public static final String IMPORT_TIMEOUT = "import.timeout";
    public static final String IMPORT_RUN_AUTOMATIONS = "import.run.automations";

    /** The seed's custom field for the student-information system's id. */
    public static final String DEFAULT_LOCAL_ID_FIELD = "SONIS_ID";
    /**
     * "The API is limited to 5 requests per second per account" (https://developers.activecampaign.com/reference/rate-limits).
     * The connector's limiter counts the requests of its own instance only (there is no state shared
     * between instances), so two instances for one account need one instance for all jobs, or the 5
     * divided among them.
     */
    public static final int DEFAULT_RATE_LIMIT = 5;
    /**
     * The bulk importer's reference suggests at least 10 contacts per import and {@code contact/sync}
     * for fewer (https://developers.activecampaign.com/reference/bulk-import-contacts).
     */
    public static final int DEFAULT_BULK_THRESHOLD = 10;
    /** ActiveCampaign's API base path; the Developer settings show the account URL it hangs off. */
    static final String API_PATH = "/api/3";

    // ActiveCampaign's own keys, then the HTTP settings every connector takes (HttpSettings).
    private static final ConfigConstraint POSITIVE = ConfigConstraint.durationRange(Duration.ofMillis(1),
            Duration.ofDays(1));
    static final List<ConfigKey> KEYS = Stream.concat(Stream.of(
            ConfigKey.required(API_URL, ConfigKey.Type.URL, "The account's API URL, copied whole from Settings >"
                    + " Developer, e.g. https://acme.api-us1.com/api/3 (the host differs between accounts; the"
                    + " connector never builds it from an account name). A URL without a path gets /api/3")
                    .constrained(ConfigConstraint.satisfying(url -> normalizeUrl(url).isPresent(), "an ActiveCampaign"
                            + " API URL such as https://acme.api-us1.com/api/3; copy it from Settings > Developer (this"
                            + " connector speaks API v3 only, not the old /admin/api.php)")),
            ConfigKey.secret(API_TOKEN, true, "API key of the ActiveCampaign user the sync acts as (Settings >"
                    + " Developer), sent as the Api-Token header; the user needs permission to manage contacts")
                    .constrained(ConfigConstraint.matching(java.util.regex.Pattern.compile("\\S+"), "the key alone:"
                            + " it contains white space")),
            ConfigKey.optional(LOCAL_ID_FIELD, ConfigKey.Type.STRING, DEFAULT_LOCAL_ID_FIELD, "Personalization tag"
                    + " (perstag, e.g. SONIS_ID) or title of the custom contact field that holds the local ID;"
                    + " resolved to its numeric id at preflight"),
            ConfigKey.required(LIST, ConfigKey.Type.STRING, "Id or name of the list whose status says whether a"
                    + " contact is subscribed: active (1) is opted in, unsubscribed (2) is opted out"),
            ConfigKey.optional(RATE_LIMIT, ConfigKey.Type.INT, Integer.toString(DEFAULT_RATE_LIMIT), "Requests per"
                    + " second of this connector instance. ActiveCampaign allows 5 per account, shared by every"
                    + " integration and every connector instance of the account, and each instance keeps its own"
                    + " count: serve all jobs of one account (import and export) with one connector instance, or"
                    + " divide the 5 among the instances (e.g. 3 and 2), less whatever other integrations of the"
                    + " account use").constrained(ConfigConstraint.range(1, 1_000, "a rate of 0 sends nothing")),
            ConfigKey.optional(BULK_THRESHOLD, ConfigKey.Type.INT, Integer.toString(DEFAULT_BULK_THRESHOLD),
                    "Writes of at least this many contacts in one batch go through import/bulk_import (up to 250"
                    + " per call); fewer go one by one through contact/sync")
                    .constrained(ConfigConstraint.range(1, 1_000_000, "")),
            // "If this endpoint is called immediately (less than a second) after a bulk import call, the status
            // in the return may be false" (https://developers.activecampaign.com/reference/bulk-import-status-info):
            // a second is the soonest a check is worth making.
            ConfigKey.optional(IMPORT_POLL_INTERVAL, ConfigKey.Type.DURATION, "1s", "How long after a bulk import"
                    + " was queued its first import/info check comes; each further wait doubles, up to 30 s (or"
                    + " this, if longer). ActiveCampaign may not have a status for an import less than a second"
                    + " old").constrained(POSITIVE),
            ConfigKey.optional(IMPORT_TIMEOUT, ConfigKey.Type.DURATION, "10m", "How long to wait for a bulk import"
                    + " to complete before the batch is left for the next run").constrained(POSITIVE),
            // "By default, automations will run when doing a bulk import" unless exclude_automations is
            // true (https://developers.activecampaign.com/reference/bulk-import-contacts): a sync should
            // not start the account's automations (welcome emails, ...) for every contact it writes.
            ConfigKey.optional(IMPORT_RUN_AUTOMATIONS, ConfigKey.Type.BOOLEAN, "false", "Whether the bulk"
                    + " importer runs the account's automations on the contacts it imports (ActiveCampaign's"
                    + " default). false (the default here) sends exclude_automations, so an export starts no"
                    + " automation; true lets them run as they would for an import in the app")),
            HttpSettings.configKeys().stream()).toList();

    private final String apiUrl;
    private final String apiToken;
    private final String localIdField;
    private final String list;
    private final int rateLimit;
    private final int bulkThreshold;
    private final Duration importPollInterval;
    private final Duration importTimeout;
    private final boolean importRunsAutomations;
    private final HttpSettings httpSettings;

    private ActiveCampaignConfig(ConnectorConfig c) {
        this.apiUrl = normalizeUrl(c.require(API_URL)).orElseThrow();
        this.apiToken = c.require(API_TOKEN);
        this.localIdField = c.require(LOCAL_ID_FIELD);
        this.list = c.require(LIST);
        this.rateLimit = Integer.parseInt(c.require(RATE_LIMIT));
        this.bulkThreshold = Integer.parseInt(c.require(BULK_THRESHOLD));
        this.importPollInterval = c.getDuration(IMPORT_POLL_INTERVAL).orElseThrow();
        this.importTimeout = c.getDuration(IMPORT_TIMEOUT).orElseThrow();
        this.importRunsAutomations = c.getBoolean(IMPORT_RUN_AUTOMATIONS);
        this.httpSettings = HttpSettings.from(c);
    }

    /** The declared keys, with types, defaults and which are secret. */
    public static List<ConfigKey> keys() {
        return KEYS;
    }

    /**
     * Every problem with {@code values}: unknown and missing keys and bad types, then ActiveCampaign's
     * own rules (an http(s) API URL whose path is {@code /api/3}, a token without spaces, a rate of at
     * least 1 per second, a bulk threshold of at least 1, positive durations), and the ranges of the HTTP
     * settings.
     */
    public static List<ConfigProblem> validate(Map<String, String> values) {
        return ConnectorConfig.validate(KEYS, requireNonNull(values, "values"));
    }

    /**
     * The typed configuration of a validated {@link ConnectorConfig}.
     *
     * @throws org.crmsync.CrmSyncException with code {@code INVALID_CONFIGURATION} listing every problem
     */
    public static ActiveCampaignConfig from(ConnectorConfig config) {
        return new ActiveCampaignConfig(requireNonNull(config, "config")); // ConnectorConfig.of checked every rule
    }

    /** Validates {@code values} (every problem at once) and builds the typed configuration. */
    public static ActiveCampaignConfig from(Map<String, String> values) {
        return new ActiveCampaignConfig(ConnectorConfig.of(ActiveCampaignConnectorProvider.ID, KEYS, values));
    }

    /** The API URL ending in {@code /api/3}, without a trailing slash. */
    public String apiUrl() {
        return apiUrl;
    }

    /** The API key; a secret. */
    public String apiToken() {
        return apiToken;
    }

    /** The perstag or title of the custom field holding the local ID. */
    public String localIdField() {
        return localIdField;
    }

    /** The id or name of the list whose status is the opt-in. */
    public String list() {
        return list;
    }

    public int rateLimit() {
        return rateLimit;
    }

    public int bulkThreshold() {
        return bulkThreshold;
    }

    public Duration importPollInterval() {
        return importPollInterval;
    }

    public Duration importTimeout() {
        return importTimeout;
    }

    /** Whether bulk imports let the account's automations run ({@code import.run.automations}, default false). */
    public boolean importRunsAutomations() {
        return importRunsAutomations;
    }

    /** Timeouts, attempts, the call deadline and the {@code Retry-After} cap ({@code http.*} keys). */
    public HttpSettings httpSettings() {
        return httpSettings;
    }

    @Override
    public String toString() {
        return "ActiveCampaignConfig{apiUrl=" + apiUrl + ", apiToken=****, localIdField=" + localIdField + ", list="
                + list + ", rateLimit=" + rateLimit + ", bulkThreshold=" + bulkThreshold + ", importPollInterval="
                + importPollInterval + ", importTimeout=" + importTimeout + ", importRunsAutomations="
                + importRunsAutomations + ", " + httpSettings + "}";
    }

    /**
     * The API URL in its one accepted form: http(s), a host, no query, and the path {@code /api/3}
     * (added when the URL has no path, since Settings > Developer shows the account URL it belongs to).
     */
    static Optional<String> normalizeUrl(String value) {
        String v = value.trim();
        while (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            return Optional.empty();
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.isEmpty()) {
            return Optional.of(v + API_PATH);
        }
        return path.equals(API_PATH) ? Optional.of(v) : Optional.empty();
    }

    private static Optional<String> value(Map<String, String> values, String key) {
        return Optional.ofNullable(values.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
