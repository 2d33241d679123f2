package org.crmsync.luminate;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
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

/**
 * The Luminate Online connector's configuration: the seed's form ("Configuring the Convio Luminate
 * integration"), typed and checked. Build it with {@link #from(Map)}; {@link #validate(Map)} reports
 * every problem at once; {@link #toString()} never prints the API key or a password.
 *
 * <p>The seed's Site Admin user name and password are for people troubleshooting the integration, not
 * for the sync, so they are not keys here.
 */
public final class LuminateConfig {
    public static final String API_HOST = "api.host";
    public static final String ORGANIZATION_CODE = "organization.code";
    public static final String API_KEY = "api.key";
    public static final String LOGIN = "login";
    public static final String PASSWORD = "password";
    public static final String EXPORT_URL = "export.url";
    public static final String FTP_HOST = "ftp.host";
    public static final String FTP_LOGIN = "ftp.login";
    public static final String FTP_PASSWORD = "ftp.password";
    public static final String FTP_TLS_CERTIFICATE = "ftp.tls.certificate";
    public static final String FTP_TIMEOUT = "ftp.timeout";
    public static final String EXPORT_ID_HEADING = "export.id.heading";
    public static final String EXPORT_CHARSET = "export.charset";
    public static final String EXPORT_POLL_INTERVAL = "export.poll.interval";
    public static final String CENTER_IDS = "center.ids";
    public static final String SOURCE = "source";
    public static final String NO_WELCOME = "no.welcome";
    public static final String OPTIN_FIELD = "optin.field";
    public static final String NEW_ACCEPTS_EMAIL = "new.accepts.email";
    public static final String DONATION_PAYMENT_METHOD = "donation.payment.method";

    /** The seed: "The default entry is mcommons." */
    public static final String DEFAULT_SOURCE = "mcommons";
    /** The seed: "Activate the Custom Boolean 50 field and rename it to Mobile Opt-in field." */
    public static final String DEFAULT_OPTIN_FIELD = "custom_boolean50";
    /** The heading a Standard Constituent Import names the id with (reference notes §3.5); Luminate support may name it otherwise. */
    public static final String DEFAULT_ID_HEADING = "CONS_ID";

    private static final Pattern FIELD_NAME = Pattern.compile("custom_boolean[0-9]{1,3}");
    private static final Pattern CENTER = Pattern.compile("[0-9]{1,18}");

    static final List<ConfigKey> KEYS = Stream.concat(Stream.of(
            ConfigKey.required(API_HOST, ConfigKey.Type.STRING, "The host name for API requests, the seed's \"host"
                    + " name for API requests\": the secure host your donation forms use, e.g. secure2.convio.net or"
                    + " secure.yourorg.org (a URL such as https://secure2.convio.net is taken too). On a *.convio.net"
                    + " host the organization code is the first part of the path (https://secure2.convio.net/"
                    + "{organization.code}/site/SRConsAPI); on your own domain it is not")
                    .constrained(ConfigConstraint.satisfying(v -> hostUrl(v).isPresent(), "a host name such as"
                            + " secure2.convio.net, or https:// and a host (no path, no query)")),
            ConfigKey.required(ORGANIZATION_CODE, ConfigKey.Type.STRING, "The Convio organization code (the seed:"
                    + " \"usually found in the Convio URL\")")
                    .constrained(ConfigConstraint.matching(Pattern.compile("[A-Za-z0-9_-]+"), "letters, digits, '-'"
                            + " and '_' only")),
            ConfigKey.secret(API_KEY, true, "The API key of the web service (the site's CONVIO_API_KEY)"),
            ConfigKey.required(LOGIN, ConfigKey.Type.STRING, "User name of the API administrator account (a member of"
                    + " the API Administrator group with the Use Convio API permission; the seed recommends credentials"
                    + " used only by this sync)"),
            ConfigKey.secret(PASSWORD, true, "Password of that account"),
            ConfigKey.required(EXPORT_URL, ConfigKey.Type.STRING, "Where the nightly changed-records file is (the seed:"
                    + " \"the default URL for the CSV export file that will be downloaded nightly\"): ftps://host/path"
                    + " (FTP with explicit TLS, AUTH TLS on port 21, as Luminate's file transfer is; not SFTP), a path"
                    + " such as /outgoing/changed.csv on ftp.host, or https://host/path")
                    .constrained(ConfigConstraint.satisfying(v -> v.trim().startsWith("/")
                            || ExportLocation.parse(v, Optional.empty()).isPresent(), "ftps://host/path, ftp://host/path, https://host/path, or a path starting"
                            + " with / on ftp.host")),
            ConfigKey.optional(FTP_HOST, ConfigKey.Type.STRING, null, "The FTP host (the seed's \"FTP host name\", e.g."
                    + " customerftp.convio.net), with :port when it is not 21; used when export.url is a path"),
            ConfigKey.optional(FTP_LOGIN, ConfigKey.Type.STRING, null, "The seed's \"Data Sync user name\" for the FTP"
                    + " site (also sent as HTTP Basic when export.url is https)"),
            ConfigKey.secret(FTP_PASSWORD, false, "The seed's \"Data Sync password\""),
            ConfigKey.optional(FTP_TLS_CERTIFICATE, ConfigKey.Type.STRING, null, "A PEM file with a certificate (or CA)"
                    + " to trust for the FTPS host besides the JVM's trusted authorities; unset trusts those only"),
            ConfigKey.optional(FTP_TIMEOUT, ConfigKey.Type.DURATION, "60s", "How long the FTP host may take to"
                    + " connect, answer a command or send the next bytes of the file")
                    .constrained(ConfigConstraint.durationRange(Duration.ofMillis(100), Duration.ofMinutes(30))),
            ConfigKey.optional(EXPORT_ID_HEADING, ConfigKey.Type.STRING, DEFAULT_ID_HEADING, "The heading of the file's"
                    + " column of constituent ids; no other column is needed, since each changed constituent is read"
                    + " whole through getUser"),
            ConfigKey.optional(EXPORT_CHARSET, ConfigKey.Type.STRING, "UTF-8", "The file's character set")
                    .constrained(ConfigConstraint.satisfying(LuminateConfig::knownCharset, "a character set Java"
                            + " knows, such as UTF-8 or windows-1252")),
            ConfigKey.optional(EXPORT_POLL_INTERVAL, ConfigKey.Type.DURATION, "1h", "When the file is not there (or"
                    + " still empty), how long until looking again is worthwhile; the run ends waiting")
                    .constrained(ConfigConstraint.durationRange(Duration.ofSeconds(1), Duration.ofDays(1))),
            ConfigKey.optional(CENTER_IDS, ConfigKey.Type.LIST, null, "Convio centers to include in the sync,"
                    + " comma-separated (the seed); new constituents are added to them (add_center_ids); blank for none")
                    .constrained(ConfigConstraint.satisfying(LuminateConfig::centersOk, "numeric center ids separated"
                            + " by commas")),
            ConfigKey.optional(SOURCE, ConfigKey.Type.STRING, DEFAULT_SOURCE, "The source code identifying this sync to"
                    + " Luminate (the seed's default: mcommons), sent as source with every write"),
            ConfigKey.optional(NO_WELCOME, ConfigKey.Type.STRING, null, "Blank: Luminate sends its welcome email to new"
                    + " constituents where the site has it on (no_welcome=false is sent); 1: no_welcome=1, which"
                    + " suppresses it (the seed's choices; Luminate reads f/false as send, anything else as suppress)")
                    .constrained(ConfigConstraint.satisfying(v -> v.isBlank() || v.trim().equals("1"), "blank or 1")),
            ConfigKey.optional(OPTIN_FIELD, ConfigKey.Type.STRING, DEFAULT_OPTIN_FIELD, "The custom boolean that holds"
                    + " the mobile opt-in (the seed's \"Mobile opt-in Boolean field name\", Custom Boolean 50 renamed"
                    + " Mobile Opt-in); preflight checks through listUserFields that it exists and is a boolean")
                    .constrained(ConfigConstraint.matching(FIELD_NAME, "a custom boolean field such as"
                            + " custom_boolean50")),
            // Reference notes §5 pitfall 12: new constituents are opted out of email unless accepts_email is sent
            // true; an SMS opt-in is not consent to email, so the connector sends it explicitly either way.
            ConfigKey.optional(NEW_ACCEPTS_EMAIL, ConfigKey.Type.BOOLEAN, "false", "email.accepts_email sent with a"
                    + " new constituent: an SMS opt-in is not consent to email, so false unless your sign-up also asks"
                    + " for email"),
            ConfigKey.optional(DONATION_PAYMENT_METHOD, ConfigKey.Type.STRING, "credit", "offline_payment_method of the"
                    + " gifts recorded with addOfflineDonation (cash, check or credit): how the platform's donation page"
                    + " took the gift; no card data is ever sent").constrained(ConfigConstraint.oneOf("cash", "check",
                            "credit"))),
            HttpSettings.configKeys().stream()).toList();

    private final String apiBase;
    private final String organizationCode;
    private final String apiKey;
    private final String login;
    private final String password;
    private final ExportLocation export;
    private final Optional<String> ftpLogin;
    private final Optional<String> ftpPassword;
    private final Optional<String> ftpCertificate;
    private final Duration ftpTimeout;
    private final String idHeading;
    private final Charset charset;
    private final Duration pollInterval;
    private final List<String> centerIds;
    private final String source;
    private final boolean noWelcome;
    private final String optInField;
    private final boolean newAcceptsEmail;
    private final String paymentMethod;
    private final HttpSettings httpSettings;

    private LuminateConfig(ConnectorConfig c) {
        this.organizationCode = c.require(ORGANIZATION_CODE).trim();
        this.apiBase = apiBase(c.require(API_HOST), organizationCode);
        this.apiKey = c.require(API_KEY);
        this.login = c.require(LOGIN);
        this.password = c.require(PASSWORD);
        this.export = ExportLocation.parse(c.require(EXPORT_URL), c.get(FTP_HOST)).orElseThrow();
        this.ftpLogin = c.get(FTP_LOGIN).filter(v -> !v.isBlank());
        this.ftpPassword = c.get(FTP_PASSWORD).filter(v -> !v.isEmpty());
        this.ftpCertificate = c.get(FTP_TLS_CERTIFICATE).filter(v -> !v.isBlank());
        this.ftpTimeout = c.getDuration(FTP_TIMEOUT).orElseThrow();
        this.idHeading = c.require(EXPORT_ID_HEADING).trim();
        this.charset = Charset.forName(c.require(EXPORT_CHARSET).trim());
        this.pollInterval = c.getDuration(EXPORT_POLL_INTERVAL).orElseThrow();
        this.centerIds = c.getList(CENTER_IDS).stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
        this.source = c.require(SOURCE).trim();
        this.noWelcome = c.get(NO_WELCOME).map(String::trim).filter(v -> v.equals("1")).isPresent();
        this.optInField = c.require(OPTIN_FIELD).trim();
        this.newAcceptsEmail = c.getBoolean(NEW_ACCEPTS_EMAIL);
        this.paymentMethod = c.require(DONATION_PAYMENT_METHOD);
        this.httpSettings = HttpSettings.from(c);
    }

    /** The declared keys, with types, defaults and which are secret. */
    public static List<ConfigKey> keys() {
        return KEYS;
    }

    /** Every problem with {@code values}, at once, including those between keys (FTP without a host or login). */
    public static List<ConfigProblem> validate(Map<String, String> values) {
        requireNonNull(values, "values");
        List<ConfigProblem> problems = new ArrayList<>(ConnectorConfig.validate(KEYS, values));
        if (problems.isEmpty()) {
            problems.addAll(crossChecks(values));
        }
        return problems;
    }

    private static List<ConfigProblem> crossChecks(Map<String, String> values) {
        List<ConfigProblem> problems = new ArrayList<>();
        Optional<String> ftpHost = Optional.ofNullable(values.get(FTP_HOST)).filter(v -> !v.isBlank());
        Optional<ExportLocation> where = ExportLocation.parse(values.get(EXPORT_URL), ftpHost);
        if (where.isEmpty()) {
            problems.add(new ConfigProblem(FTP_HOST, "export.url is a path, so ftp.host must name the FTP host"));
            return problems;
        }
        if (where.get().ftp()) {
            if (Optional.ofNullable(values.get(FTP_LOGIN)).filter(v -> !v.isBlank()).isEmpty()) {
                problems.add(new ConfigProblem(FTP_LOGIN, "the changed-records file is on an FTP host, so the Data"
                        + " Sync user name is needed"));
            }
            if (Optional.ofNullable(values.get(FTP_PASSWORD)).filter(v -> !v.isEmpty()).isEmpty()) {
                problems.add(new ConfigProblem(FTP_PASSWORD, "the changed-records file is on an FTP host, so the Data"
                        + " Sync password is needed"));
            }
        }
        return problems;
    }

    /** Validates {@code values} (every problem at once) and builds the typed configuration. */
    public static LuminateConfig from(Map<String, String> values) {
        List<ConfigProblem> problems = validate(values);
        if (!problems.isEmpty()) {
            throw ConnectorConfig.invalid(LuminateConnectorProvider.ID, problems);
        }
        return new LuminateConfig(ConnectorConfig.of(LuminateConnectorProvider.ID, KEYS, values));
    }

    /** The servlets' base, ending in {@code /site/}: e.g. {@code https://secure2.convio.net/myorg/site/}. */
    public String apiBase() {
        return apiBase;
    }

    public String organizationCode() {
        return organizationCode;
    }

    /** A secret. */
    String apiKey() {
        return apiKey;
    }

    public String login() {
        return login;
    }

    /** A secret. */
    String password() {
        return password;
    }

    public ExportLocation export() {
        return export;
    }

    public Optional<String> ftpLogin() {
        return ftpLogin;
    }

    /** A secret. */
    Optional<String> ftpPassword() {
        return ftpPassword;
    }

    public Optional<String> ftpCertificate() {
        return ftpCertificate;
    }

    public Duration ftpTimeout() {
        return ftpTimeout;
    }

    public String idHeading() {
        return idHeading;
    }

    public Charset charset() {
        return charset;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    public List<String> centerIds() {
        return centerIds;
    }

    public String source() {
        return source;
    }

    /** Whether {@code no_welcome=1} is sent (else {@code no_welcome=false}: send the welcome email). */
    public boolean noWelcome() {
        return noWelcome;
    }

    public String optInField() {
        return optInField;
    }

    public boolean newAcceptsEmail() {
        return newAcceptsEmail;
    }

    public String paymentMethod() {
        return paymentMethod;
    }

    public HttpSettings httpSettings() {
        return httpSettings;
    }

    /** Every secret value, to mask wherever text from Luminate or an exception could carry it. */
    List<String> secretValues() {
        List<String> secrets = new ArrayList<>(List.of(apiKey, password));
        ftpPassword.ifPresent(secrets::add);
        return secrets;
    }

    @Override
    public String toString() {
        return "LuminateConfig{apiBase=" + apiBase + ", login=" + login + ", apiKey=****, password=****, export="
                + export + ", ftpLogin=" + ftpLogin.orElse("") + ", ftpPassword=****, idHeading=" + idHeading
                + ", charset=" + charset + ", centerIds=" + centerIds + ", source=" + source + ", noWelcome="
                + noWelcome + ", optInField=" + optInField + ", newAcceptsEmail=" + newAcceptsEmail + ", "
                + httpSettings + "}";
    }

    private static boolean knownCharset(String v) {
        try {
            Charset.forName(v.trim());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean centersOk(String v) {
        for (String part : v.split(",")) {
            if (!part.isBlank() && !CENTER.matcher(part.trim()).matches()) {
                return false;
            }
        }
        return true;
    }

    /** {@code https://host[:port]} for an {@code api.host} value; http only reaches a local simulator. */
    static Optional<String> hostUrl(String value) {
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
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null || !(path.isEmpty() || path.equals("/"))) {
            return Optional.empty();
        }
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
    }

    /**
     * The servlets' base for a host: {@code https://secure2.convio.net/{org}/site/} on Convio's shared hosts,
     * {@code https://secure.yourorg.org/site/} on an organization's own domain (reference notes §3.1:
     * both forms are in use), and the first form for a local simulator on a loopback address.
     */
    static String apiBase(String host, String organizationCode) {
        String url = hostUrl(host).orElseThrow();
        String name = URI.create(url).getHost();
        boolean shared = name.endsWith(".convio.net") || name.equals("127.0.0.1") || name.equals("localhost");
        return url + (shared ? "/" + organizationCode : "") + "/site/";
    }
}
