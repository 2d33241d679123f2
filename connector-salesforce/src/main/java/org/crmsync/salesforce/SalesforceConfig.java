package org.crmsync.salesforce;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
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
 * The Salesforce connector's configuration, typed and checked. Build it from the string map an
 * application keeps with {@link #from(ConnectorConfig)}; {@link #validate(Map)} reports every problem
 * at once. {@link #toString()} never prints a secret.
 *
 * <p>The seed's other Salesforce settings are {@link org.crmsync.policy.SyncPolicy} settings, shared by
 * every connector: the default first and last name, the source code written on created contacts, and
 * the daily API quota.
 */
public final class SalesforceConfig {
    private static final Logger LOG = LoggerFactory.getLogger(SalesforceConfig.class);

    public static final String LOGIN = "login";
    public static final String PASSWORD = "password";
    public static final String SECURITY_TOKEN = "security.token";
    public static final String CLIENT_ID = "client.id";
    public static final String CLIENT_SECRET = "client.secret";
    public static final String AUTH_FLOW = "auth.flow";
    public static final String API_HOST = "api.host";
    public static final String LOGIN_HOST = "login.host";
    public static final String API_VERSION = "api.version";
    public static final String EXPORT_URL = "export.url";
    public static final String INBOUND_SOURCE = "inbound.source";
    public static final String OPT_IN_FIELD = "optin.field";
    public static final String SOURCE_FIELD = "source.field";
    public static final String QUERY_BATCH_SIZE = "query.batch.size";
    public static final String CONCURRENT_LIMIT_ATTEMPTS = "concurrent.limit.attempts";
    public static final String CONCURRENT_LIMIT_WAIT = "concurrent.limit.wait";
    public static final String CALLS_IN_FLIGHT = "calls.in.flight";

    /**
     * A current GA version. Summer '26 is v67.0 (the release/version map of the REST API guide's version
     * picker); versions 41.0 to 67.0 are supported, older ones are retired and answer 410
     * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/api_rest_eol.htm).
     */
    public static final String DEFAULT_API_VERSION = "67.0";
    /** The seed's mobile opt-in field; it prints {@code Mobile_Subscriber_c}, but custom fields end in {@code __c}. */
    public static final String DEFAULT_OPT_IN_FIELD = "Mobile_Subscriber__c";
    /** Where created contacts get the policy's source code; a standard picklist on Contact. */
    public static final String DEFAULT_SOURCE_FIELD = "LeadSource";
    /** {@value} as {@code source.field} writes no source code. */
    public static final String NO_SOURCE_FIELD = "none";

    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://");
    private static final Pattern VERSION = Pattern.compile("v?([0-9]{2,3}\\.[0-9])");
    private static final Pattern API_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern SOURCE_FIELD_VALUE = Pattern.compile("(?i:none)|[A-Za-z][A-Za-z0-9_]*");

    // Salesforce's own keys, then the HTTP settings every connector takes (HttpSettings).
    static final List<ConfigKey> KEYS = Stream.concat(Stream.of(
            ConfigKey.optional(AUTH_FLOW, ConfigKey.Type.STRING, "password", "How to log in: 'password' (OAuth"
                    + " username-password flow, the seed's login, password and security token) or"
                    + " 'client_credentials' (OAuth client credentials flow with the app's run-as user; Salesforce"
                    + " recommends it, and blocks the password flow in many orgs)")
                    .constrained(ConfigConstraint.oneOf("password", "client_credentials")),
            ConfigKey.optional(LOGIN, ConfigKey.Type.STRING, null, "Salesforce user name of the integration user"
                    + " (password flow); create a user just for this sync")
                    .constrained(ConfigConstraint.requiredWhen(AUTH_FLOW, "password", "password")),
            ConfigKey.secret(PASSWORD, false, "That user's password (password flow)")
                    .constrained(ConfigConstraint.requiredWhen(AUTH_FLOW, "password", "password")),
            ConfigKey.secret(SECURITY_TOKEN, false, "That user's API security token, appended to the password at"
                    + " login as Salesforce requires (Settings > Reset My Security Token); blank when the org"
                    + " trusts the sync's IP range"),
            ConfigKey.required(CLIENT_ID, ConfigKey.Type.STRING, "Consumer key of the connected app or external"
                    + " client app (Setup > App Manager) with OAuth scope 'api'"),
            ConfigKey.secret(CLIENT_SECRET, false, "Consumer secret of that app; required for client_credentials,"
                    + " and for the password flow unless the app does not require a secret")
                    .constrained(ConfigConstraint.requiredWhen(AUTH_FLOW, "password", "client_credentials")),
            ConfigKey.required(API_HOST, ConfigKey.Type.HOST, "Host name of the org, usually its My Domain, e.g."
                    + " acme.my.salesforce.com; leave off http:// or https:// (a scheme given is removed, with a"
                    + " warning). The default login.host, and a host export.url may be on (besides the instance"
                    + " host the login returns): the export download carries the session, so it goes nowhere"
                    + " else"),
            ConfigKey.optional(LOGIN_HOST, ConfigKey.Type.HOST, null, "Host of the OAuth token endpoint;"
                    + " defaults to api.host. login.salesforce.com (production) or test.salesforce.com (sandbox)"
                    + " also work for the password flow; the client credentials flow needs the My Domain host"),
            ConfigKey.optional(API_VERSION, ConfigKey.Type.STRING, DEFAULT_API_VERSION, "REST API version, e.g."
                    + " 67.0").constrained(ConfigConstraint.matching(VERSION, "an API version such as "
                            + DEFAULT_API_VERSION)),
            ConfigKey.optional(EXPORT_URL, ConfigKey.Type.URL, null, "Full URL of the custom report export, ending"
                    + " in =CSV (e.g. https://acme.my.salesforce.com/00O5e000008abcd?export=1&enc=UTF-8&xf=csv),"
                    + " on the org's host (api.host, or the instance host the login returns); the report needs a"
                    + " Contact ID column")
                    // The seed: "Full URL for the Salesforce custom export, which should end in =CSV". Salesforce's
                    // own links end in xf=csv, so the comparison ignores case.
                    .constrained(ConfigConstraint.endsWith("=CSV", "copy the report's export link, which ends in"
                            + " xf=csv (a report exported as CSV)"),
                            ConfigConstraint.requiredWhen(INBOUND_SOURCE, null, "export")),
            ConfigKey.optional(INBOUND_SOURCE, ConfigKey.Type.STRING, null, "Where inbound syncs read changes:"
                    + " 'export' (the custom export URL) or 'api' (a SOQL query on SystemModstamp); default export"
                    + " when export.url is set, else api").constrained(ConfigConstraint.oneOf("api", "export")),
            ConfigKey.optional(OPT_IN_FIELD, ConfigKey.Type.STRING, DEFAULT_OPT_IN_FIELD, "API name of the custom"
                    + " boolean (checkbox) mobile opt-in field on Contact, case-sensitive; custom fields end in __c"
                    + " (the seed prints Mobile_Subscriber_c)")
                    .constrained(ConfigConstraint.matching(API_NAME, "a field API name such as " + DEFAULT_OPT_IN_FIELD)),
            ConfigKey.optional(SOURCE_FIELD, ConfigKey.Type.STRING, DEFAULT_SOURCE_FIELD, "Contact field that"
                    + " receives the sync policy's source code on contacts the sync creates; 'none' for no field")
                    .constrained(ConfigConstraint.matching(SOURCE_FIELD_VALUE, "a field API name such as LeadSource,"
                            + " or none")),
            ConfigKey.optional(QUERY_BATCH_SIZE, ConfigKey.Type.INT, "2000", "Records per query page asked of"
                    + " Salesforce (Sforce-Query-Options batchSize: 200 to 2000; Salesforce may return fewer)")
                    .constrained(ConfigConstraint.range(200, 2000, "the range Salesforce accepts for"
                            + " Sforce-Query-Options batchSize")),
            // The concurrent long-running request limit answers REQUEST_LIMIT_EXCEEDED too, and "any new
            // concurrent requests aren't processed until there are fewer requests than the allowed limit"
            // (API Request Limits and Allocations); how long that takes Salesforce does not say, hence keys.
            ConfigKey.optional(CONCURRENT_LIMIT_ATTEMPTS, ConfigKey.Type.INT, "5", "Attempts of a call Salesforce"
                    + " refuses for its limit of concurrent long-running requests (REQUEST_LIMIT_EXCEEDED"
                    + " 'ConcurrentPerOrgLongTxn' or 'ConcurrentRequests'), the first included; then the run stops"
                    + " and the rest waits for the next run. The daily request limit is never waited out")
                    .constrained(ConfigConstraint.range(1, 100, "1 means no retry")),
            ConfigKey.optional(CONCURRENT_LIMIT_WAIT, ConfigKey.Type.DURATION, "5s", "The first wait before"
                    + " such a call is sent again; each further wait doubles, up to a minute, with jitter")
                    .constrained(ConfigConstraint.durationRange(java.time.Duration.ofMillis(1),
                            java.time.Duration.ofHours(1))),
            // Salesforce limits concurrent long-running requests (20 s or longer) to 25 per org in production
            // and sandboxes and to 5 in Developer and Trial orgs, and short ones not at all (API Request Limits
            // and Allocations). Four stays under even the smallest limit were every call long-running.
            ConfigKey.optional(CALLS_IN_FLIGHT, ConfigKey.Type.INT, "4", "How many look-ups and writes of one"
                    + " run may be in flight at once (Salesforce allows 25 concurrent long-running requests per"
                    + " org, 5 in Developer and Trial orgs); 1 sends one at a time")
                    .constrained(ConfigConstraint.range(1, 25, "Salesforce's limit of concurrent long-running"
                            + " requests per org"))),
            HttpSettings.configKeys().stream()).toList();

    /** How the connector logs in. */
    public enum AuthFlow {
        /** OAuth 2.0 username-password flow: login, password + security token, client id and secret. */
        PASSWORD,
        /** OAuth 2.0 client credentials flow: client id and secret; the app's run-as user acts. */
        CLIENT_CREDENTIALS
    }

    /** Where inbound syncs read changed contacts. */
    public enum InboundSource {
        /** SOQL on {@code SystemModstamp}, paged. */
        API,
        /** The custom report export file (one download per run). */
        EXPORT
    }

    private final AuthFlow authFlow;
    private final Optional<String> login;
    private final Optional<String> password;
    private final Optional<String> securityToken;
    private final String clientId;
    private final Optional<String> clientSecret;
    private final String apiHost;
    private final String loginHost;
    private final String apiVersion;
    private final Optional<String> exportUrl;
    private final InboundSource inboundSource;
    private final String optInField;
    private final Optional<String> sourceField;
    private final int queryBatchSize;
    private final int concurrentLimitAttempts;
    private final Duration concurrentLimitWait;
    private final int callsInFlight;
    private final HttpSettings httpSettings;

    private SalesforceConfig(ConnectorConfig c) {
        this.authFlow = parseFlow(c.require(AUTH_FLOW)).orElseThrow();
        this.login = c.get(LOGIN);
        this.password = c.get(PASSWORD);
        this.securityToken = c.get(SECURITY_TOKEN);
        this.clientId = c.require(CLIENT_ID);
        this.clientSecret = c.get(CLIENT_SECRET);
        this.apiHost = bareHost(API_HOST, c.require(API_HOST));
        this.loginHost = c.get(LOGIN_HOST).map(h -> bareHost(LOGIN_HOST, h)).orElse(apiHost);
        Matcher version = VERSION.matcher(c.require(API_VERSION));
        this.apiVersion = version.matches() ? version.group(1) : DEFAULT_API_VERSION;
        this.exportUrl = c.get(EXPORT_URL);
        this.inboundSource = c.get(INBOUND_SOURCE).flatMap(SalesforceConfig::parseSource)
                .orElse(exportUrl.isPresent() ? InboundSource.EXPORT : InboundSource.API);
        this.optInField = c.require(OPT_IN_FIELD);
        String source = c.require(SOURCE_FIELD);
        this.sourceField = source.equalsIgnoreCase(NO_SOURCE_FIELD) ? Optional.empty() : Optional.of(source);
        this.queryBatchSize = Integer.parseInt(c.require(QUERY_BATCH_SIZE));
        this.concurrentLimitAttempts = Integer.parseInt(c.require(CONCURRENT_LIMIT_ATTEMPTS));
        this.concurrentLimitWait = c.getDuration(CONCURRENT_LIMIT_WAIT).orElseThrow();
        this.callsInFlight = Integer.parseInt(c.require(CALLS_IN_FLIGHT));
        this.httpSettings = HttpSettings.from(c);
    }

    /** The declared keys, with types, defaults and which are secret. */
    public static List<ConfigKey> keys() {
        return KEYS;
    }

    /**
     * Every problem with {@code values}: unknown and missing keys and bad types, then Salesforce's own
     * rules (the credentials each login flow needs, an export URL ending in {@code =CSV}, an export URL
     * when the inbound source is the export, the API version and field-name forms, the batch size range),
     * and the ranges of the HTTP settings.
     */
    public static List<ConfigProblem> validate(Map<String, String> values) {
        return ConnectorConfig.validate(KEYS, requireNonNull(values, "values"));
    }

    /**
     * The typed configuration of a validated {@link ConnectorConfig}.
     *
     * @throws org.crmsync.CrmSyncException with code {@code INVALID_CONFIGURATION} listing every problem
     */
    public static SalesforceConfig from(ConnectorConfig config) {
        return new SalesforceConfig(requireNonNull(config, "config")); // ConnectorConfig.of checked every declared rule
    }

    /** Validates {@code values} (every problem at once) and builds the typed configuration. */
    public static SalesforceConfig from(Map<String, String> values) {
        return new SalesforceConfig(ConnectorConfig.of(SalesforceConnectorProvider.ID, KEYS, values));
    }

    /** How many look-ups and writes of one run may be in flight at once. */
    public int callsInFlight() {
        return callsInFlight;
    }

    public AuthFlow authFlow() {
        return authFlow;
    }

    public Optional<String> login() {
        return login;
    }

    /** The password; a secret. */
    public Optional<String> password() {
        return password;
    }

    /** The security token; a secret. */
    public Optional<String> securityToken() {
        return securityToken;
    }

    public String clientId() {
        return clientId;
    }

    /** The consumer secret; a secret. */
    public Optional<String> clientSecret() {
        return clientSecret;
    }

    /**
     * The org's host, without a scheme, e.g. {@code acme.my.salesforce.com}: the default {@link
     * #loginHost()}, and a host the export URL may be on (besides the login's instance host).
     */
    public String apiHost() {
        return apiHost;
    }

    /** The host of the OAuth token endpoint, without a scheme. */
    public String loginHost() {
        return loginHost;
    }

    /** The REST API version without the {@code v}, e.g. {@code 67.0}. */
    public String apiVersion() {
        return apiVersion;
    }

    public Optional<String> exportUrl() {
        return exportUrl;
    }

    public InboundSource inboundSource() {
        return inboundSource;
    }

    /** The API name of the boolean mobile opt-in field on Contact. */
    public String optInField() {
        return optInField;
    }

    /** The Contact field that receives the source code on created contacts; empty for none. */
    public Optional<String> sourceField() {
        return sourceField;
    }

    public int queryBatchSize() {
        return queryBatchSize;
    }

    /** Attempts of a call refused for the concurrent long-running request limit ({@code concurrent.limit.attempts}). */
    public int concurrentLimitAttempts() {
        return concurrentLimitAttempts;
    }

    /** The first wait after such a refusal ({@code concurrent.limit.wait}); later ones double. */
    public Duration concurrentLimitWait() {
        return concurrentLimitWait;
    }

    /** Timeouts, attempts, the call deadline and the {@code Retry-After} cap ({@code http.*} keys). */
    public HttpSettings httpSettings() {
        return httpSettings;
    }

    /** The secret values, to mask wherever text from Salesforce or an exception could carry them. */
    public List<String> secretValues() {
        List<String> secrets = new ArrayList<>();
        password.ifPresent(secrets::add);
        securityToken.ifPresent(secrets::add);
        clientSecret.ifPresent(secrets::add);
        password.ifPresent(p -> securityToken.ifPresent(t -> secrets.add(p + t)));
        return secrets;
    }

    @Override
    public String toString() {
        return "SalesforceConfig{authFlow=" + authFlow + ", login=" + login.orElse("") + ", password="
                + mask(password) + ", securityToken=" + mask(securityToken) + ", clientId=" + clientId
                + ", clientSecret=" + mask(clientSecret) + ", apiHost=" + apiHost + ", loginHost=" + loginHost
                + ", apiVersion=" + apiVersion + ", exportUrl=" + exportUrl.orElse("") + ", inboundSource="
                + inboundSource + ", optInField=" + optInField + ", sourceField=" + sourceField.orElse(NO_SOURCE_FIELD)
                + ", queryBatchSize=" + queryBatchSize + ", concurrentLimitAttempts=" + concurrentLimitAttempts
                + ", concurrentLimitWait=" + concurrentLimitWait + ", " + httpSettings + "}";
    }

    private static String mask(Optional<String> secret) {
        return secret.isPresent() ? "****" : "";
    }

    private static Optional<String> value(Map<String, String> values, String key) {
        return Optional.ofNullable(values.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static Optional<AuthFlow> parseFlow(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "password": return Optional.of(AuthFlow.PASSWORD);
            case "client_credentials": return Optional.of(AuthFlow.CLIENT_CREDENTIALS);
            default: return Optional.empty();
        }
    }

    private static Optional<InboundSource> parseSource(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "api": return Optional.of(InboundSource.API);
            case "export": return Optional.of(InboundSource.EXPORT);
            default: return Optional.empty();
        }
    }

    /**
     * The seed: enter the API host "without http:// or https:// at the beginning ... It is automatically
     * added in the API call and may cause sync errors." A scheme is removed, with a warning, not refused.
     */
    static String bareHost(String key, String value) {
        String host = value.trim();
        Matcher scheme = SCHEME.matcher(host);
        if (scheme.find()) {
            LOG.warn("{} '{}' starts with {}; using the host name alone, as Salesforce's setup asks (the connector"
                    + " adds https:// itself)", key, host, scheme.group());
            host = host.substring(scheme.end());
        }
        while (host.endsWith("/")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.toLowerCase(Locale.ROOT);
    }
}
