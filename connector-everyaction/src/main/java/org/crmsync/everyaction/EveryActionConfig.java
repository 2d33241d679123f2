package org.crmsync.everyaction;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.crmsync.http.HttpSettings;
import org.crmsync.spi.ConfigConstraint;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.ConnectorConfig;

/**
 * The EveryAction connector's configuration, typed and checked. Build it from the string map an
 * application keeps with {@link #from(Map)}; {@link #validate(Map)} reports every problem at once.
 * {@link #toString()} never prints the API key.
 *
 * <p>Authentication is HTTP Basic with the application name as the user name and {@code
 * apiKey|databaseMode} as the password (parsons {@code van_connector.py}; NGP VAN's own {@code
 * sample-calls.sh}: {@code --user "$apiname:$apikey|1"}). The same key reads different data in each
 * mode: {@code 1} is MyCampaign (EveryAction, MyMembers), {@code 0} MyVoters.
 */
public final class EveryActionConfig {
    public static final String API_HOST = "api.host";
    public static final String APP_NAME = "app.name";
    public static final String API_KEY = "api.key";
    public static final String DATABASE_MODE = "database.mode";
    public static final String EXPORT_POLL_INTERVAL = "export.poll.interval";
    public static final String EXPORT_FILE_SIZE_KB = "export.file.size.kb";
    public static final String NEW_EMAIL_SUBSCRIBED = "new.email.subscribed";
    public static final String EXPORT_FIELDS = "export.fields";

    /** The public VAN API host (https://docs.ngpvan.com/reference/overview: {@code https://api.securevan.com/v4/}). */
    public static final String DEFAULT_API_HOST = "api.securevan.com";
    /** MyCampaign: the EveryAction database. */
    public static final String DEFAULT_DATABASE_MODE = "1";
    /** The API's version path, added to the host. */
    static final String API_PATH = "/v4/";

    private static final Pattern NO_WHITE_SPACE_OR_BAR = Pattern.compile("[^\\s|]+");

    // EveryAction's own keys, then the HTTP settings every connector takes (HttpSettings).
    static final List<ConfigKey> KEYS = Stream.concat(Stream.of(
            ConfigKey.optional(API_HOST, ConfigKey.Type.STRING, DEFAULT_API_HOST, "Host name for API requests, the"
                    + " seed's \"API host name, which is usually the URL of your EveryAction account\": a bare host"
                    + " (api.securevan.com) or a URL (https://api.securevan.com or https://api.securevan.com/v4);"
                    + " the connector adds https:// and /v4/ itself. Default " + DEFAULT_API_HOST)
                    .constrained(ConfigConstraint.satisfying(v -> baseUrl(v).isPresent(), "a host name such as "
                            + DEFAULT_API_HOST + " or a URL such as https://" + DEFAULT_API_HOST + "/v4 (no other"
                            + " path, no query)")),
            ConfigKey.required(APP_NAME, ConfigKey.Type.STRING, "Application name of the API key (the user name of"
                    + " HTTP Basic), as VAN shows it with the key; the seed asks for a dedicated API user with"
                    + " Superuser status, requested through your EveryAction representative"),
            ConfigKey.secret(API_KEY, true, "The API key of that application (a GUID), without the |mode suffix:"
                    + " the connector sends apiKey|database.mode as the password")
                    .constrained(ConfigConstraint.matching(NO_WHITE_SPACE_OR_BAR, "the key alone: it contains white"
                            + " space or a '|' (give the database mode as database.mode, not after the key)")),
            ConfigKey.optional(DATABASE_MODE, ConfigKey.Type.INT, DEFAULT_DATABASE_MODE, "Which database the key"
                    + " works in: 1 MyCampaign (EveryAction, MyMembers), 0 MyVoters; a key used in the wrong mode is"
                    + " refused or reads other data").constrained(ConfigConstraint.oneOf("0", "1")),
            ConfigKey.optional(EXPORT_POLL_INTERVAL, ConfigKey.Type.DURATION, "5m", "When an inbound run finds its"
                    + " changed-entity export job still running, how long until looking again is worthwhile; the"
                    + " run ends waiting and the next run picks the same job up")
                    .constrained(ConfigConstraint.durationRange(Duration.ofSeconds(1), Duration.ofDays(1))),
            ConfigKey.optional(EXPORT_FILE_SIZE_KB, ConfigKey.Type.INT, null, "fileSizeKbLimit of the changed-entity"
                    + " export jobs: VAN splits the export into files of at most this many KB (every file is"
                    + " read); unset leaves VAN's own limit")
                    .constrained(ConfigConstraint.range(1, 1_000_000, "")),
            ConfigKey.optional(EXPORT_FIELDS, ConfigKey.Type.LIST, null, "Fields of your account's Contacts export"
                    + " (GET changedEntityExportJobs/fields/Contacts lists them) that hold a person's standard values,"
                    + " as name=field pairs, e.g. cellPhone=CellPhone, smsOptInStatus=CellSmsOptIn, email=Email; names"
                    + " are those of EveryActionMapping. When cellPhone and smsOptInStatus are among them, inbound"
                    + " syncs take the values from the export and read no person; unset, each changed person with a"
                    + " phone is read whole (one call each), since VAN documents no export field for a phone's type"
                    + " or SMS opt-in").constrained(ConfigConstraint.satisfying(v -> exportFields(v).isPresent(),
                            "a list of name=field pairs, each name one of " + new java.util.TreeSet<>(
                                    EveryActionMapping.STANDARD_FIELDS) + ", with cellPhone and smsOptInStatus among"
                                    + " them")),
            // parsons PR #963: an email upserted without isSubscribed may have its subscription changed, so
            // the connector always sends one; and an SMS opt-in is not consent to email (parsons PR #1212).
            ConfigKey.optional(NEW_EMAIL_SUBSCRIBED, ConfigKey.Type.BOOLEAN, "false", "The email subscription"
                    + " (isSubscribed) sent with a new opt-in's email address: an SMS opt-in is not consent to"
                    + " email, so false unless your sign-up form also asks for email")),
            HttpSettings.configKeys().stream()).toList();

    private final String baseUrl;
    private final String appName;
    private final String apiKey;
    private final int databaseMode;
    private final Duration exportPollInterval;
    private final OptionalInt exportFileSizeKb;
    private final boolean newEmailSubscribed;
    private final Map<String, String> exportFields;
    private final HttpSettings httpSettings;

    private EveryActionConfig(ConnectorConfig c) {
        this.baseUrl = baseUrl(c.require(API_HOST)).orElseThrow();
        this.appName = c.require(APP_NAME);
        this.apiKey = c.require(API_KEY);
        this.databaseMode = Integer.parseInt(c.require(DATABASE_MODE));
        this.exportPollInterval = c.getDuration(EXPORT_POLL_INTERVAL).orElseThrow();
        this.exportFileSizeKb = c.get(EXPORT_FILE_SIZE_KB).map(v -> OptionalInt.of(Integer.parseInt(v)))
                .orElse(OptionalInt.empty());
        this.newEmailSubscribed = c.getBoolean(NEW_EMAIL_SUBSCRIBED);
        this.exportFields = c.get(EXPORT_FIELDS).flatMap(EveryActionConfig::exportFields).orElse(Map.of());
        this.httpSettings = HttpSettings.from(c);
    }

    /** The declared keys, with types, defaults and which are secret. */
    public static List<ConfigKey> keys() {
        return KEYS;
    }

    /** Every problem with {@code values}, at once. */
    public static List<ConfigProblem> validate(Map<String, String> values) {
        return ConnectorConfig.validate(KEYS, requireNonNull(values, "values"));
    }

    /** Validates {@code values} (every problem at once) and builds the typed configuration. */
    public static EveryActionConfig from(Map<String, String> values) {
        return new EveryActionConfig(ConnectorConfig.of(EveryActionConnectorProvider.ID, KEYS,
                requireNonNull(values, "values")));
    }

    /** The API's base URL, ending in {@code /v4/}, e.g. {@code https://api.securevan.com/v4/}. */
    public String baseUrl() {
        return baseUrl;
    }

    public String appName() {
        return appName;
    }

    /** The API key; a secret. */
    public String apiKey() {
        return apiKey;
    }

    /** {@code 1} MyCampaign, {@code 0} MyVoters. */
    public int databaseMode() {
        return databaseMode;
    }

    /** The HTTP Basic password, {@code apiKey|mode}; a secret. */
    String password() {
        return apiKey + "|" + databaseMode;
    }

    public Duration exportPollInterval() {
        return exportPollInterval;
    }

    public OptionalInt exportFileSizeKb() {
        return exportFileSizeKb;
    }

    public boolean newEmailSubscribed() {
        return newEmailSubscribed;
    }

    /**
     * The export's fields for the person's standard values, by the connector's API names; empty when
     * inbound syncs read each changed person instead ({@code export.fields} unset).
     */
    public Map<String, String> exportFields() {
        return exportFields;
    }

    public HttpSettings httpSettings() {
        return httpSettings;
    }

    /** The secret values, to mask wherever text from VAN or an exception could carry them. */
    List<String> secretValues() {
        return List.of(password(), apiKey);
    }

    @Override
    public String toString() {
        return "EveryActionConfig{baseUrl=" + baseUrl + ", appName=" + appName + ", apiKey=****, databaseMode="
                + databaseMode + ", exportPollInterval=" + exportPollInterval + ", exportFileSizeKb="
                + (exportFileSizeKb.isPresent() ? Integer.toString(exportFileSizeKb.getAsInt()) : "VAN's")
                + ", newEmailSubscribed=" + newEmailSubscribed + ", exportFields=" + exportFields + ", " + httpSettings
                + "}";
    }

    /** {@code name=field, ...} as a map; empty when an entry is malformed or cellPhone or smsOptInStatus is missing. */
    static Optional<Map<String, String>> exportFields(String value) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String entry : value.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.split("=", -1);
            if (parts.length != 2 || !EveryActionMapping.STANDARD_FIELDS.contains(parts[0].trim())
                    || !parts[1].trim().matches("[A-Za-z][A-Za-z0-9_]*") || fields.put(parts[0].trim(), parts[1].trim())
                    != null) {
                return Optional.empty();
            }
        }
        if (!fields.containsKey(EveryActionMapping.CELL_PHONE) || !fields.containsKey(EveryActionMapping.SMS_OPT_IN)) {
            return Optional.empty();
        }
        return Optional.of(java.util.Collections.unmodifiableMap(fields));
    }

    /**
     * The API base URL for an {@code api.host} value: a bare host gets {@code https://}; a URL keeps its
     * scheme (http only reaches a local simulator: the HTTP client refuses it otherwise); the path may be
     * empty, {@code /} or {@code /v4}; {@code /v4/} is added. Anything else is not an API host.
     */
    static Optional<String> baseUrl(String value) {
        String v = value.trim();
        if (v.isEmpty() || v.chars().anyMatch(Character::isWhitespace)) {
            return Optional.empty();
        }
        if (!v.contains("://")) {
            v = "https://" + v;
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            return Optional.empty();
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!(path.isEmpty() || path.equalsIgnoreCase("/v4"))) {
            return Optional.empty();
        }
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + API_PATH);
    }
}
