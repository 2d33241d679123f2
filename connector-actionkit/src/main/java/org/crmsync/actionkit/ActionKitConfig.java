package org.crmsync.actionkit;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.crmsync.http.HttpSettings;
import org.crmsync.spi.ConfigConstraint;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.ConnectorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ActionKit connector's configuration, typed and checked: {@link #validate(Map)} reports every
 * problem at once, {@link #from(Map)} validates and builds it. {@link #toString()} never prints the
 * password.
 *
 * <p>The seed's other ActionKit settings are {@link org.crmsync.policy.SyncPolicy} settings: liberal or
 * conservative sync ({@code mode}), the default web opt-in path, the source code ({@code sourceCode};
 * the provider's preset has the seed's default "Mobile Commons") and the US-only rule (the preset's
 * allowed countries).
 */
public final class ActionKitConfig {
    private static final Logger LOG = LoggerFactory.getLogger(ActionKitConfig.class);

    public static final String API_HOST = "api.host";
    public static final String LOGIN = "login";
    public static final String PASSWORD = "password";
    public static final String OPT_IN_FIELD = "optin.field";
    public static final String CALL_PAGES = "call.pages";
    public static final String UPLOAD_PAGE = "upload.page";
    public static final String UPLOAD_THRESHOLD = "upload.threshold";
    public static final String UPLOAD_POLL_INTERVAL = "upload.poll.interval";
    public static final String UPLOAD_TIMEOUT = "upload.timeout";
    public static final String REQUESTS_IN_FLIGHT = "requests.in.flight";

    /**
     * The name ActionKit fills in for the seed's allowed user field: "In the Display Name field, enter
     * Mobile Subscriber. Note: The Name field is filled in automatically."
     */
    public static final String DEFAULT_OPT_IN_FIELD = "mobile_subscriber";

    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://");
    // Allowed user field names are what ActionKit's user_<name> import columns and the REST "fields"
    // dictionary carry: letters, digits and underscores (Uploads Reference: "The field name can only
    // include letters, numbers, and _").
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_]+");
    // A page's short name ("name" of core_page, unique): letters, digits, underscores and hyphens, the
    // slug ActionKit asks for ("Enter a valid 'slug' consisting of letters, numbers, underscores or
    // hyphens.", cassette rest_petition_page_400.yml).
    private static final Pattern PAGE_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern CALL_PAGE_ENTRY = Pattern.compile("\\s*[^=,\\s][^=,]*=\\s*[A-Za-z0-9_-]+\\s*");

    static final List<ConfigKey> KEYS = Stream.concat(Stream.of(
            ConfigKey.required(API_HOST, ConfigKey.Type.STRING, "Host name for API requests, usually the URL of your"
                    + " ActionKit account (the seed), e.g. act.example.org. A URL such as https://act.example.org/rest/v1/"
                    + " is accepted: its scheme and path are removed, with a warning saying so")
                    .constrained(ConfigConstraint.satisfying(v -> hostOf(v).isPresent(), "a host name such as"
                            + " act.example.org or a URL such as https://act.example.org/")),
            ConfigKey.required(LOGIN, ConfigKey.Type.STRING, "User name (email address) of the ActionKit staff user"
                    + " the sync calls the API as; the seed recommends a user just for the sync, with Superuser"
                    + " status"),
            ConfigKey.secret(PASSWORD, true, "That user's password (HTTP Basic authentication)"),
            ConfigKey.optional(OPT_IN_FIELD, ConfigKey.Type.STRING, DEFAULT_OPT_IN_FIELD, "Name of the allowed user"
                    + " field that holds the mobile opt-in (Users > Add allowed user field, Display Name \"Mobile"
                    + " Subscriber\", Field Choices false=No and true=Yes, not Required; ActionKit fills in the name"
                    + " mobile_subscriber)").constrained(ConfigConstraint.matching(FIELD_NAME, "an allowed user field"
                            + " name such as " + DEFAULT_OPT_IN_FIELD)),
            ConfigKey.optional(CALL_PAGES, ConfigKey.Type.LIST, null, "Which mConnect goes to which ActionKit call page:"
                    + " comma-separated mConnect key=call page short name pairs, e.g. MC123=call_congress. A call whose"
                    + " mConnect key is not listed goes to the page its activity names (the mConnect's CRM Alert ID)")
                    .constrained(ConfigConstraint.satisfying(ActionKitConfig::callPagesWellFormed,
                            "comma-separated pairs mconnect-key=page-short-name")),
            ConfigKey.optional(UPLOAD_PAGE, ConfigKey.Type.STRING, null, "Short name of an Import page (Pages >"
                    + " Import) through which large batches are uploaded (POST /rest/v1/upload/); blank: every write"
                    + " goes through the user and phone resources one record at a time")
                    .constrained(ConfigConstraint.matching(PAGE_NAME, "a page short name such as mobile_commons_import")),
            ConfigKey.optional(UPLOAD_THRESHOLD, ConfigKey.Type.INT, "50", "Batches with at least this many new users,"
                    + " or this many opt-outs, go through the upload API when upload.page is set; smaller ones go"
                    + " through the REST resources").constrained(ConfigConstraint.range(1, 100_000, "")),
            ConfigKey.optional(UPLOAD_POLL_INTERVAL, ConfigKey.Type.DURATION, "2s", "The wait before an upload's"
                    + " progress is first read; each further wait doubles, up to 30 s")
                    .constrained(ConfigConstraint.durationRange(Duration.ofMillis(1), Duration.ofMinutes(10))),
            ConfigKey.optional(UPLOAD_TIMEOUT, ConfigKey.Type.DURATION, "10m", "How long to wait for an upload to"
                    + " complete before its batch is left for the next run")
                    .constrained(ConfigConstraint.durationRange(Duration.ofSeconds(1), Duration.ofHours(6))),
            // ActionKit: "429 TOO MANY REQUESTS | Your application is sending too many simultaneous requests"
            // (docs.actionkit.com/docs/manual/api/rest/requests.html): the limit is on concurrency, and no number
            // is given; four leaves room for the account's other integrations.
            ConfigKey.optional(REQUESTS_IN_FLIGHT, ConfigKey.Type.INT, "4", "The most requests this connector has in"
                    + " flight at once, over all its runs; ActionKit answers 429 for \"too many simultaneous"
                    + " requests\" and gives no number").constrained(ConfigConstraint.range(1, 50, ""))),
            HttpSettings.configKeys().stream()).toList();

    private final String host;
    private final String login;
    private final String password;
    private final String optInField;
    private final Map<String, String> callPages;
    private final Optional<String> uploadPage;
    private final int uploadThreshold;
    private final Duration uploadPollInterval;
    private final Duration uploadTimeout;
    private final int requestsInFlight;
    private final HttpSettings httpSettings;

    private ActionKitConfig(ConnectorConfig c) {
        String given = c.require(API_HOST);
        this.host = hostOf(given).orElseThrow();
        if (!given.trim().toLowerCase(Locale.ROOT).equals(host)) {
            LOG.warn("{} '{}' is a URL; using its host {} (the connector adds https:// and /rest/v1/ itself)", API_HOST,
                    given.trim(), host);
        }
        this.login = c.require(LOGIN);
        this.password = c.require(PASSWORD);
        this.optInField = c.require(OPT_IN_FIELD);
        this.callPages = parseCallPages(c.getList(CALL_PAGES));
        this.uploadPage = c.get(UPLOAD_PAGE);
        this.uploadThreshold = Integer.parseInt(c.require(UPLOAD_THRESHOLD));
        this.uploadPollInterval = c.getDuration(UPLOAD_POLL_INTERVAL).orElseThrow();
        this.uploadTimeout = c.getDuration(UPLOAD_TIMEOUT).orElseThrow();
        this.requestsInFlight = Integer.parseInt(c.require(REQUESTS_IN_FLIGHT));
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

    /**
     * Validates {@code values} and builds the typed configuration.
     *
     * @throws org.crmsync.CrmSyncException with code {@code INVALID_CONFIGURATION} listing every problem
     */
    public static ActionKitConfig from(Map<String, String> values) {
        return new ActionKitConfig(ConnectorConfig.of(ActionKitConnectorProvider.ID, KEYS, values));
    }

    /**
     * The host of {@code value}: a bare host (with a port, as a simulator has), or the host of a URL, whose
     * scheme, path, query and trailing slashes are dropped; lower case. Empty when there is none.
     */
    static Optional<String> hostOf(String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String withScheme = SCHEME.matcher(v).find() ? v : "https://" + v;
        try {
            URI uri = new URI(withScheme);
            String h = uri.getHost();
            if (h == null || !h.matches("[A-Za-z0-9.-]+") || h.startsWith(".") || h.endsWith(".")) {
                return Optional.empty();
            }
            return Optional.of((h + (uri.getPort() > 0 ? ":" + uri.getPort() : "")).toLowerCase(Locale.ROOT));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static boolean callPagesWellFormed(String value) {
        for (String entry : value.split(",")) {
            if (!entry.isBlank() && !CALL_PAGE_ENTRY.matcher(entry).matches()) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> parseCallPages(List<String> entries) {
        Map<String, String> pages = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            pages.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        return Collections.unmodifiableMap(pages);
    }

    /** The account's host, e.g. {@code act.example.org}, without scheme or path. */
    public String host() {
        return host;
    }

    public String login() {
        return login;
    }

    /** The password; a secret. */
    String password() {
        return password;
    }

    /** The name of the allowed user field holding the mobile opt-in. */
    public String optInField() {
        return optInField;
    }

    /** The call page short name of each mConnect key ({@code call.pages}), in the order given. */
    public Map<String, String> callPages() {
        return callPages;
    }

    /** The Import page uploads go through; empty when batches go through the REST resources. */
    public Optional<String> uploadPage() {
        return uploadPage;
    }

    public int uploadThreshold() {
        return uploadThreshold;
    }

    public Duration uploadPollInterval() {
        return uploadPollInterval;
    }

    public Duration uploadTimeout() {
        return uploadTimeout;
    }

    /** The most requests in flight at once ({@code requests.in.flight}). */
    public int requestsInFlight() {
        return requestsInFlight;
    }

    public HttpSettings httpSettings() {
        return httpSettings;
    }

    /** The secret values, to mask wherever text from ActionKit or an exception could carry them. */
    List<String> secretValues() {
        List<String> secrets = new ArrayList<>();
        secrets.add(password);
        secrets.add(java.util.Base64.getEncoder().encodeToString((login + ":" + password)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return secrets;
    }

    @Override
    public String toString() {
        return "ActionKitConfig{host=" + host + ", login=" + login + ", password=****, optInField=" + optInField
                + ", callPages=" + callPages + ", uploadPage=" + uploadPage.orElse("") + ", uploadThreshold="
                + uploadThreshold + ", requestsInFlight=" + requestsInFlight + ", " + httpSettings + "}";
    }
}
