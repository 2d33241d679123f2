package org.crmsync.salesforce.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.ResponseBody;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.http.HttpClients;
import org.crmsync.http.HttpErrors;
import org.crmsync.http.Redaction;
import org.crmsync.http.RetryPolicy;
import org.crmsync.kit.ApiCalls;
import org.crmsync.kit.Chunks;
import org.crmsync.salesforce.SalesforceConfig;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import retrofit2.Call;
import retrofit2.Response;
import retrofit2.Retrofit;
import retrofit2.converter.jackson.JacksonConverterFactory;

/**
 * One Salesforce org over REST: logs in with the configured OAuth flow, keeps the session, and on a
 * 401 {@code INVALID_SESSION_ID} logs in again and retries the call once (the flows we use issue no
 * refresh token, so a new token request is the only way back; Salesforce sessions expire after the
 * org's inactivity timeout: https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_error_handling_session_exp.htm).
 *
 * <p>Every HTTP request goes through the {@link HttpClients} plumbing, so each one, logins and export
 * downloads included, is first counted by the run's {@link ApiCallMeter}; each answer's {@code
 * Sforce-Limit-Info: api-usage=used/max} is passed to the meter so a run stops before the org's own
 * limit (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm).
 * A 403 {@code REQUEST_LIMIT_EXCEEDED} for the org's daily request allocation becomes {@link
 * ErrorCode#QUOTA_EXHAUSTED}: the limit is a rolling 24 hours, so waiting and retrying within a run is
 * pointless. The same code also answers the concurrent long-running request limit, which clears as soon
 * as fewer requests run: that one is waited out and the call sent again ({@link #concurrencyLimit}).
 *
 * <p>Thread-safe; one instance per connector.
 */
public final class SalesforceClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SalesforceClient.class);

    /**
     * The longest SOQL statement Salesforce takes: "By default, 100,000 characters" (SOQL and SOSL Limits
     * for Search Queries,
     * https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_soslsoql.htm).
     */
    public static final int MAX_SOQL_CHARS = 100_000;

    /**
     * How long the statements of a batch lookup are made: SOQL's limit less a tenth, a margin, since the
     * limit is stated in characters without saying how they are counted.
     * Such a statement is far too long for the URI of a GET (Salesforce allows 16,384 bytes for the URI and
     * headers of one REST call together, help article 000386264, https://help.salesforce.com/s/articleView?id=000386264),
     * so lookups go in the body of a Composite request ({@link #queries}).
     */
    public static final int LOOKUP_STATEMENT_CHARS = MAX_SOQL_CHARS - MAX_SOQL_CHARS / 10;

    /**
     * The queries one Composite request may carry: up to 25 subrequests, of which up to 5 may be sObject
     * Collections or query operations (Query, QueryAll, and a query's next batch) (Send Multiple Requests
     * Using Composite, REST API Developer Guide,
     * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html;
     * the Tooling API's Composite page in English: "You can have up to 25 subrequests in a single call. Up
     * to five of these subrequests can be query operations",
     * https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_resources_composite_composite.htm).
     */
    public static final int MAX_QUERIES_PER_COMPOSITE = 5;

    static final String LIMIT_HEADER = "Sforce-Limit-Info";
    // "api-usage=18/15000", possibly followed by other entries ("; api-bursts=1/750"); the lookbehind
    // keeps entries whose names end in api-usage (per-app-api-usage) from matching.
    private static final Pattern API_USAGE = Pattern.compile("(?<![\\w-])api-usage=(\\d+)/(\\d+)");
    private static final String TOKEN_PATH = "/services/oauth2/token";
    /** The longest wait before a call the concurrency limit refused is sent again. */
    static final Duration MAX_CONCURRENCY_WAIT = Duration.ofMinutes(1);

    private final SalesforceConfig config;
    private final boolean plainHttp;
    private final OkHttpClient http;
    private final ObjectMapper mapper;
    private final OAuthApi oauth;
    private final Supplier<ApiCallMeter> meter;
    private final Sleeper sleeper;
    private final ApiCalls calls;
    private final Retrofit.Builder dataApis;
    private final Retrofit.Builder exportApis;
    private Session session;

    /**
     * The session of one login: the token, the org's instance, where data calls go, and the APIs bound
     * to it ({@code exportApi} follows no redirect).
     */
    private record Session(String accessToken, HttpUrl instance, HttpUrl dataBase, SalesforceApi api,
            SalesforceApi exportApi) {
        String bearer() {
            return "Bearer " + accessToken;
        }

        @Override
        public String toString() {
            return "Session{" + dataBase + "}";
        }
    }

    /**
     * @param meter the meter of the run being served, asked before every request
     */
    public SalesforceClient(SalesforceConfig config, ConnectorContext context, Supplier<ApiCallMeter> meter) {
        this(config, context, meter, RetryPolicy.defaults());
    }

    /**
     * @param retryPolicy how to back off between attempts; the attempts, the {@code Retry-After} cap, the
     *     timeouts and the call deadline are the configuration's {@link SalesforceConfig#httpSettings()}
     */
    public SalesforceClient(SalesforceConfig config, ConnectorContext context, Supplier<ApiCallMeter> meter,
            RetryPolicy retryPolicy) {
        this.config = requireNonNull(config, "config");
        this.meter = requireNonNull(meter, "meter");
        this.sleeper = context.sleeper();
        this.plainHttp = context.allowPlainHttp();
        OkHttpClient base = HttpClients.builder().clock(context.clock()).sleeper(context.sleeper())
                .retryPolicy(requireNonNull(retryPolicy, "retryPolicy")).settings(config.httpSettings()).meter(meter)
                .allowPlainHttp(context.allowPlainHttp()).build();
        OkHttpClient.Builder b = base.newBuilder();
        // Outermost, ahead of the retry interceptor that reads the tag and the JSON check that reads
        // Accept.
        b.interceptors().add(0, SalesforceClient::prepare);
        b.addInterceptor(this::observeLimit);
        this.http = b.build();
        // Salesforce does not deduplicate a create; the lookup before every create is what finds contacts
        // that landed though the answer was lost.
        this.calls = ApiCalls.builder("Salesforce").hostSetting(this::hostSetting).settings(config.httpSettings())
                .secrets(this::secrets).createsWithoutDeduplication(SalesforceClient::isCreate, "the next run looks"
                        + " the records up before creating any, so none is created twice").build();
        this.mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        this.oauth = new Retrofit.Builder().baseUrl(baseUrl(config.loginHost())).client(http)
                .addConverterFactory(JacksonConverterFactory.create(mapper)).build().create(OAuthApi.class);
        this.dataApis = new Retrofit.Builder().client(http).addConverterFactory(JacksonConverterFactory.create(mapper));
        // The export download carries the session as a cookie, which OkHttp would resend to wherever a
        // redirect points (it drops only Authorization on a change of host): no redirect is followed.
        OkHttpClient exportHttp = http.newBuilder().followRedirects(false).followSslRedirects(false).build();
        this.exportApis = new Retrofit.Builder().client(exportHttp)
                .addConverterFactory(JacksonConverterFactory.create(mapper));
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** Logs in unless a session is open. */
    public void ensureSession() {
        session();
    }

    /**
     * The first page of each statement, in order, from as few calls as Salesforce allows: one Composite
     * request per {@value #MAX_QUERIES_PER_COMPOSITE} statements, each a query subrequest ({@code GET
     * /services/data/vNN.N/query/?q=...}). The Query resource itself takes its statement in the URI of a
     * GET, which holds a tenth of what SOQL allows; a subrequest's URL travels in the request body, and the
     * whole Composite request "counts as a single call toward your API limits" (Send Multiple Requests
     * Using Composite, https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html).
     * SOQL reads committed data, so a contact another run created a moment ago is found (unlike a SOSL
     * search, whose index can take "about 15 minutes or more" to show a new record: Search Architecture,
     * https://developer.salesforce.com/docs/platform/salesforce-large-data-volumes-bp/guide/ldv-deployments-concepts-search-architecture.html).
     * Pages after the first (a statement matching more than 2,000 contacts) are the caller's, from
     * {@link #queryMore}. The subrequests only read, so a Composite request that failed in flight is sent
     * again like a GET.
     *
     * @param statements each at most {@link #MAX_SOQL_CHARS} long
     * @throws CrmSyncException for a query Salesforce refused, as {@link #query} would (a mapped field it
     *     does not know is {@code INVALID_MAPPING}), never quoting the statement's literals
     */
    public List<QueryResult> queries(List<String> statements) {
        List<QueryResult> pages = new ArrayList<>(statements.size());
        for (List<String> chunk : Chunks.byCount(statements, MAX_QUERIES_PER_COMPOSITE)) {
            pages.addAll(compositeQueries(chunk));
        }
        return pages;
    }

    private List<QueryResult> compositeQueries(List<String> statements) {
        List<CompositeRequest.Subrequest> subrequests = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            String soql = statements.get(i);
            if (soql.length() > MAX_SOQL_CHARS) {
                throw new IllegalArgumentException("a SOQL statement of " + soql.length() + " characters; Salesforce"
                        + " takes at most " + MAX_SOQL_CHARS);
            }
            subrequests.add(new CompositeRequest.Subrequest("GET", queryUrl(soql), "query" + i, Map.of()));
        }
        String what = "lookup of Contacts (" + statements.size() + (statements.size() == 1 ? " query" : " queries")
                + " in one Composite request)";
        CompositeRequest request = new CompositeRequest(false, subrequests);
        CompositeResponse answer = call(what, String.join("\n", statements),
                (api, auth) -> api.composite(auth, request));
        Map<String, CompositeResponse.Result> byReference = new LinkedHashMap<>();
        answer.compositeResponse().forEach(r -> byReference.put(r.referenceId(), r));
        String where = "POST /services/data/v" + config.apiVersion() + "/composite";
        List<QueryResult> pages = new ArrayList<>(statements.size());
        for (int i = 0; i < statements.size(); i++) {
            CompositeResponse.Result result = byReference.get("query" + i);
            if (result == null) {
                throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Salesforce " + what + " answered without a"
                        + " result for query " + (i + 1) + " of " + statements.size() + " (" + where + ")");
            }
            if (result.httpStatusCode() < 200 || result.httpStatusCode() > 299) {
                throw subrequestError(result, what, statements.get(i), where);
            }
            try {
                QueryResult page = result.body() == null ? null : mapper.treeToValue(result.body(), QueryResult.class);
                if (page == null) {
                    throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Salesforce " + what + " answered query "
                            + (i + 1) + " with HTTP " + result.httpStatusCode() + " and no body (" + where + ")");
                }
                pages.add(page);
            } catch (IOException | IllegalArgumentException e) {
                throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Salesforce " + what + " answered query "
                        + (i + 1) + " with a body that is not a query result (" + where + ")");
            }
        }
        return pages;
    }

    /** A query subrequest's URL, as the Query resource takes it: {@code /services/data/vNN.N/query/?q=<encoded>}. */
    private String queryUrl(String soql) {
        HttpUrl url = new HttpUrl.Builder().scheme("https").host("salesforce.invalid")
                .encodedPath("/services/data/v" + config.apiVersion() + "/query/").addQueryParameter("q", soql).build();
        return url.encodedPath() + "?" + url.encodedQuery();
    }

    /**
     * The exception for a query subrequest Salesforce answered with an error: its status and the REST error
     * array as its body, quoted as a refused query is ({@link #queryErrorMessage}: nothing of the statement).
     */
    private CrmSyncException subrequestError(CompositeResponse.Result result, String what, String soql, String where) {
        int status = result.httpStatusCode();
        String body = result.body() == null ? "" : result.body().toString();
        Optional<CrmSyncException> limit = limitExceeded(status, body, what, where);
        if (limit.isPresent()) {
            return limit.get();
        }
        Optional<ApiError> first = apiErrors(body).stream().findFirst();
        ErrorCode code = HttpErrors.codeFor(status);
        if (status == 400) {
            code = first.map(ApiError::errorCode).filter("INVALID_FIELD"::equals).isPresent()
                    ? ErrorCode.INVALID_MAPPING : ErrorCode.UNEXPECTED_RESPONSE;
        }
        StringBuilder m = new StringBuilder("Salesforce ").append(what).append(" failed: a query answered HTTP ")
                .append(status);
        if (first.isPresent()) {
            m.append(' ').append(first.get().errorCode());
            String said = queryErrorMessage(first.get().message(), soql);
            if (!said.isEmpty()) {
                m.append(": ").append(said);
            }
        } else {
            String said = queryErrorMessage(body, soql);
            if (!said.isEmpty()) {
                m.append(": ").append(said.length() > 300 ? said.substring(0, 300) + "..." : said);
            }
        }
        m.append(" (a query subrequest of ").append(where).append(").");
        return CrmSyncException.http(code, Redaction.redactSecrets(m.toString(), secrets()), status, null);
    }

    /** {@code GET query?q=}, with {@code Sforce-Query-Options: batchSize=n}. */
    public QueryResult query(String soql, int batchSize) {
        return call("query of Contacts", soql, (api, auth) -> api.query(auth, "batchSize=" + batchSize, soql));
    }

    /** The page at {@code nextRecordsUrl}, requested verbatim. */
    public QueryResult queryMore(String nextRecordsUrl, int batchSize) {
        return call("query of Contacts (next page)", "",
                (api, auth) -> api.queryMore(auth, "batchSize=" + batchSize, nextRecordsUrl));
    }

    public DescribeResult describe(String sObjectType) {
        return call("describe of " + sObjectType, null, (api, auth) -> api.describe(auth, sObjectType));
    }

    public List<SaveResult> create(CollectionRequest request) {
        return call("create of " + request.records().size() + " Contacts", null,
                (api, auth) -> api.create(auth, request));
    }

    public List<SaveResult> update(CollectionRequest request) {
        return call("update of " + request.records().size() + " Contacts", null,
                (api, auth) -> api.update(auth, request));
    }

    /**
     * Why the session may not be sent to {@code exportUrl}, or empty when it is on the org's host: the
     * host (and port) of the {@code instance_url} the login returned, or {@code api.host}. The download
     * carries the session token (as a bearer token and the {@code sid} cookie), so any other host, a
     * typo or a look-alike, would receive it. Logs in unless a session is open. The message names
     * {@code export.url} and hosts, never the token.
     */
    public Optional<String> exportUrlProblem(String exportUrl) {
        HttpUrl url = HttpUrl.parse(exportUrl);
        if (url == null) {
            return Optional.of(SalesforceConfig.EXPORT_URL + " is not an http(s) URL; copy the report's export"
                    + " link, on the org's host");
        }
        HttpUrl instance = session().instance();
        HttpUrl org = baseUrl(config.apiHost());
        if (sameHost(url, instance) || sameHost(url, org)) {
            return Optional.empty();
        }
        return Optional.of(SalesforceConfig.EXPORT_URL + " points at " + Redaction.hostAndPort(url) + ", which is not"
                + " the org's host (" + Redaction.hostAndPort(instance) + ", the instance the login returned"
                + (sameHost(instance, org) ? ""
                        : ", or " + SalesforceConfig.API_HOST + " " + Redaction.hostAndPort(org))
                + "). The download carries the session, so it is only sent to the org; use the report's export"
                + " link on the org's own host.");
    }

    /**
     * Opens the report export at {@code url}; the caller reads and closes the body. The export link is
     * the web UI's: with a session it does not accept it answers with the login page (HTML) or a
     * redirect to it, which we treat like an expired session, once. The URL must be on the org's host
     * ({@link #exportUrlProblem}), and no redirect is followed, so the session goes nowhere else.
     *
     * @throws CrmSyncException {@code INVALID_CONFIGURATION} when {@code url} is not on the org's host
     *     or still redirects after a new login; {@code QUOTA_EXHAUSTED} on {@code REQUEST_LIMIT_EXCEEDED}
     */
    public ResponseBody export(String url) {
        String what = "Salesforce report export download";
        Optional<String> problem = exportUrlProblem(url);
        if (problem.isPresent()) {
            throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, problem.get());
        }
        int concurrencyRefusals = 0;
        for (int attempt = 1; ; attempt++) {
            Session s = session();
            Response<ResponseBody> r = execute(what, s.exportApi().export(url, s.bearer(), "sid=" + s.accessToken()));
            if (r.isSuccessful() && !isHtml(r.body())) {
                return r.body();
            }
            boolean redirect = r.code() >= 300 && r.code() < 400;
            if (r.isSuccessful() || redirect) {
                if (r.isSuccessful()) {
                    r.body().close();
                } else {
                    errorBody(r);
                }
                if (attempt == 1) {
                    LOG.info("The Salesforce report export answered with {} (the session was not accepted);"
                            + " logging in again and downloading once more",
                            redirect ? "a redirect (HTTP " + r.code() + ")" : "a web page");
                    invalidate(s);
                    continue;
                }
                HttpUrl parsed = HttpUrl.parse(url);
                String at = parsed == null ? "" : " at " + Redaction.hostAndPort(parsed) + parsed.encodedPath();
                throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, "The Salesforce report export" + at
                        + (redirect ? " answered HTTP " + r.code() + " (a redirect), also after a new login;"
                                + " redirects are not followed, so the session is never sent elsewhere."
                                : " answered with a web page instead of CSV, also after a new login.")
                        + " Check export.url (the report's export link on the org's host, ending in xf=csv) and"
                        + " that the integration user may run the report.");
            }
            String body = errorBody(r);
            if (r.code() == 401 && attempt == 1) {
                invalidate(s);
                continue;
            }
            if (concurrencyLimit(r.code(), body).isPresent() && ++concurrencyRefusals < config.concurrentLimitAttempts()) {
                waitForConcurrency("report export download", concurrencyRefusals);
                attempt--; // not an attempt of the session or redirect rules above
                continue;
            }
            Optional<CrmSyncException> limit = limitExceeded(r.code(), body, "report export download",
                    r.raw().request());
            if (limit.isPresent()) {
                throw limit.get();
            }
            throw HttpErrors.of(withBody(r, body), what).secrets(secrets()).advice(404, "Check "
                    + SalesforceConfig.EXPORT_URL + ": that the report exists, that its id (00O..., in the link) is"
                    + " right, and that the integration user can see it (the report's folder is shared with them);"
                    + " copy the export link again from the report.").toException();
        }
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // ----- calls, with one new login on an expired session -----

    @FunctionalInterface
    private interface ApiCall<T> {
        Call<T> call(SalesforceApi api, String authorization);
    }

    /**
     * @param soql for a query, its statement ({@code ""} for a next page): an error then never quotes
     *     the statement or its literals; null for other calls
     */
    private <T> T call(String what, String soql, ApiCall<T> call) {
        boolean loggedInAgain = false;
        for (int attempt = 1; ; attempt++) {
            Session s = session();
            Response<T> r = execute("Salesforce " + what, call.call(s.api(), s.bearer()));
            if (r.isSuccessful()) {
                T result = r.body();
                if (result == null) {
                    throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Salesforce " + what + " answered HTTP "
                            + r.code() + " with no body");
                }
                return result;
            }
            String body = errorBody(r);
            if (r.code() == 401 && !loggedInAgain) {
                // INVALID_SESSION_ID: the session expired or was logged out; log in again and retry once.
                LOG.info("Salesforce answered 401 {} to the {}; logging in again and retrying once",
                        errorCode(body).orElse("(no error code)"), what);
                loggedInAgain = true;
                invalidate(s);
                attempt--;
                continue;
            }
            if (concurrencyLimit(r.code(), body).isPresent() && attempt < config.concurrentLimitAttempts()) {
                waitForConcurrency(what, attempt);
                continue;
            }
            CrmSyncException e = error(r, body, what, soql);
            if (errorCode(body).filter("INVALID_QUERY_LOCATOR"::equals).isPresent()) {
                throw new QueryLocatorInvalid(e);
            }
            throw e;
        }
    }

    /**
     * Salesforce no longer knows the query locator of a {@code nextRecordsUrl}: {@code
     * INVALID_QUERY_LOCATOR}, "the query locator included in a call for additional query results is
     * invalid or doesn't exist" (help article 000384958,
     * https://help.salesforce.com/s/articleView?id=000384958). A locator "expires automatically after 15
     * minutes of inactivity", and a user has at most ten open, the oldest released for an eleventh
     * (SOAP API Developer Guide, QueryLocator,
     * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_querymore_querylocator.htm).
     * The rest of the results can only be had from a new query.
     */
    public static final class QueryLocatorInvalid extends CrmSyncException {
        private static final long serialVersionUID = 1L;

        QueryLocatorInvalid(CrmSyncException answer) {
            super(answer.code(), answer.retryable(), answer.getMessage(), answer.httpStatus().orElse(-1),
                    answer.requestId().orElse(null), null);
        }
    }

    /**
     * The message of a 403 {@code REQUEST_LIMIT_EXCEEDED} for the org's limit of concurrent long-running
     * requests, or empty for any other answer (the daily limit's "TotalRequests Limit exceeded." included).
     * "If the number of long running requests exceeds the limit, the API returns a
     * REQUEST_LIMIT_EXCEEDED exception code. Any new concurrent requests aren't processed until there are
     * fewer requests than the allowed limit" (25 in production and sandboxes, 5 in Developer Edition and
     * trials; API Request Limits and Allocations,
     * https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html):
     * the refused call was not processed, so sending it again (a create too) applies it once. Salesforce
     * documents no message; the ones orgs answer name the limit, "ConcurrentPerOrgLongTxn Limit
     * exceeded." and "ConcurrentRequests (Concurrent API Requests) Limit exceeded." (seen in
     * mautic/mautic#5006 and SalesforceLabs/OrgCheck#432, against "TotalRequests Limit exceeded." for
     * the daily one, OrgCheck#181), so a message that starts with {@code Concurrent} is this limit and
     * any other stays the daily one: a run never waits on a quota that lasts until tomorrow.
     */
    private Optional<String> concurrencyLimit(int status, String body) {
        if (status != 403) {
            return Optional.empty();
        }
        return apiErrors(body).stream().filter(e -> "REQUEST_LIMIT_EXCEEDED".equals(e.errorCode()))
                .map(ApiError::message).filter(m -> m != null && m.strip().startsWith("Concurrent")).findFirst();
    }

    /**
     * Waits through the context's sleeper before sending a call the concurrency limit refused again: {@code
     * concurrent.limit.wait}, doubling after each refusal up to a minute, half of it fixed and half drawn
     * at random (so runs that were refused together do not all come back at once).
     */
    private void waitForConcurrency(String what, int attempt) {
        Duration first = config.concurrentLimitWait();
        Duration cap = first.compareTo(MAX_CONCURRENCY_WAIT) > 0 ? first : MAX_CONCURRENCY_WAIT;
        Duration base = first.multipliedBy(1L << Math.min(attempt - 1, 20));
        base = base.compareTo(cap) > 0 ? cap : base;
        Duration wait = base.dividedBy(2).plusNanos(ThreadLocalRandom.current().nextLong(base.toNanos() / 2 + 1));
        LOG.info("Salesforce refused the {} for its limit of concurrent long-running requests; waiting {} before"
                + " sending it again (attempt {} of {})", what, wait, attempt + 1, config.concurrentLimitAttempts());
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrmSyncException(ErrorCode.INTERNAL, "interrupted while waiting to send the Salesforce " + what
                    + " again", e);
        }
    }

    private <T> Response<T> execute(String what, Call<T> call) {
        return calls.send(call, what);
    }

    /**
     * A create: {@code POST composite/sobjects}. The token request and the Composite lookups are POSTs too,
     * but they apply nothing.
     */
    private static boolean isCreate(okhttp3.Request request) {
        return "POST".equals(request.method()) && !request.url().encodedPath().endsWith(TOKEN_PATH)
                && !isComposite(request);
    }

    /** {@code POST composite}, which this connector uses for queries only ({@link #queries}). */
    private static boolean isComposite(okhttp3.Request request) {
        return "POST".equals(request.method()) && request.url().encodedPath().endsWith("/composite");
    }

    /** The setting that names the host a request went to, for a message about reaching it. */
    private String hostSetting(okhttp3.Request request) {
        if (request.url().encodedPath().endsWith(TOKEN_PATH)) {
            return config.loginHost().equals(config.apiHost()) ? SalesforceConfig.API_HOST
                    : SalesforceConfig.LOGIN_HOST;
        }
        if (!request.url().encodedPath().startsWith("/services/")) {
            return SalesforceConfig.EXPORT_URL;
        }
        return SalesforceConfig.API_HOST + " (data calls go to the instance the login returns)";
    }

    /**
     * The exception for a failed REST call, from Salesforce's error array. The message names the method
     * and path but never the query string, which holds a whole SOQL statement (personal data, up to
     * 16 KB). For a query ({@code soql} not null) Salesforce's message often repeats the statement
     * (MALFORMED_QUERY, INVALID_FIELD), with a lookup's emails and phones: only the part after the
     * statement is quoted ({@link #queryErrorMessage}), and nothing that holds one of its literals.
     */
    private CrmSyncException error(Response<?> r, String body, String what, String soql) {
        int status = r.code();
        okhttp3.Request request = r.raw().request();
        Optional<CrmSyncException> limit = limitExceeded(status, body, what, request);
        if (limit.isPresent()) {
            return limit.get();
        }
        if (status == 429) {
            // Not a Salesforce REST answer (its API limits answer 403 REQUEST_LIMIT_EXCEEDED) but a gateway's or
            // a concurrency limit's: HttpErrors says what it asked for and what the retries did.
            return httpError(withBody(r, body), "Salesforce " + what);
        }
        Optional<ApiError> first = apiErrors(body).stream().findFirst();
        String where = request.method() + " " + request.url().encodedPath();
        ErrorCode code = HttpErrors.codeFor(status);
        if (status == 400 && ("GET".equals(request.method()) || isComposite(request))) {
            // A refused query, lookup or describe is no record's fault: a mapped field Salesforce does not
            // know (INVALID_FIELD), or a statement this connector got wrong.
            code = first.map(ApiError::errorCode).filter("INVALID_FIELD"::equals).isPresent()
                    ? ErrorCode.INVALID_MAPPING : ErrorCode.UNEXPECTED_RESPONSE;
        }
        StringBuilder m = new StringBuilder("Salesforce ").append(what).append(" failed: HTTP ").append(status);
        if (first.isPresent()) {
            ApiError e = first.get();
            m.append(' ').append(e.errorCode());
            String said = soql == null ? (e.message() == null ? "" : Redaction.maskPersonalData(e.message()))
                    : queryErrorMessage(e.message(), soql);
            if (!said.isEmpty()) {
                m.append(": ").append(said);
            }
            if (e.fields() != null && !e.fields().isEmpty()) {
                m.append(" (fields ").append(String.join(", ", e.fields())).append(')');
            }
        } else if (!body.isBlank()) {
            // Not Salesforce's error array: a gateway's or proxy's page, say what it is.
            String type = r.raw().header("Content-Type");
            String quoted = soql == null ? Redaction.sanitize(body, secrets(), 300) : queryErrorMessage(body, soql);
            m.append(type == null ? "" : " (" + type + ")");
            if (!quoted.isEmpty()) {
                m.append(": ").append(quoted.length() > 300 ? quoted.substring(0, 300) + "..." : quoted);
            }
        }
        m.append(" (").append(where).append(").");
        if (status == 401) {
            m.append(" The session was refused again after a new login; check that the integration user is active"
                    + " and the app's OAuth scopes include api.");
        } else if (status == 403) {
            m.append(" Grant the integration user the permission this call needs (API Enabled, access to Contact"
                    + " and its fields).");
        } else if (status == 404) {
            m.append(" Check api.version and the org's host.");
        } else if (status == 410) {
            m.append(" This API version is retired; set api.version to a current version.");
            code = ErrorCode.INVALID_CONFIGURATION;
        }
        return CrmSyncException.http(code, Redaction.redactSecrets(m.toString(), secrets()), status, null);
    }

    /**
     * A 403 {@code REQUEST_LIMIT_EXCEEDED} (the org's API request limit is used up), whichever call got
     * it: {@code QUOTA_EXHAUSTED}, so the run ends {@code QUOTA_REACHED} and the rest waits for the next
     * run, instead of a permission problem. The concurrent long-running request limit, still reached
     * after {@code concurrent.limit.attempts}, is {@code RATE_LIMITED} instead: not today's quota, but a
     * failure the next run retries.
     */
    private Optional<CrmSyncException> limitExceeded(int status, String body, String what, okhttp3.Request request) {
        return limitExceeded(status, body, what, request.method() + " " + request.url().encodedPath());
    }

    /** @param where the method and path of the request, for the message */
    private Optional<CrmSyncException> limitExceeded(int status, String body, String what, String where) {
        Optional<ApiError> limit = apiErrors(body).stream()
                .filter(e -> "REQUEST_LIMIT_EXCEEDED".equals(e.errorCode())).findFirst();
        if (limit.isEmpty()) {
            return Optional.empty();
        }
        String said = limit.get().message() == null ? "" : " " + limit.get().message();
        if (concurrencyLimit(status, body).isPresent()) {
            String message = "Salesforce refused the " + what + " (" + where + "): HTTP " + status
                    + " REQUEST_LIMIT_EXCEEDED:" + said + " The org's limit of concurrent long-running requests was"
                    + " still reached after "
                    + config.concurrentLimitAttempts() + " attempts (" + SalesforceConfig.CONCURRENT_LIMIT_ATTEMPTS
                    + ", " + SalesforceConfig.CONCURRENT_LIMIT_WAIT + "); the rest waits for the next run.";
            return Optional.of(CrmSyncException.http(ErrorCode.RATE_LIMITED,
                    Redaction.redactSecrets(message, secrets()), status, null));
        }
        String message = "Salesforce refused the " + what + " (" + where + "): HTTP " + status
                + " REQUEST_LIMIT_EXCEEDED:" + said + " The org's API request limit is used up; the rest waits for the"
                + " next run.";
        return Optional.of(CrmSyncException.http(ErrorCode.QUOTA_EXHAUSTED,
                Redaction.redactSecrets(message, secrets()), status, null));
    }

    // Salesforce repeats (part of) a refused statement, a caret line, then "ERROR at Row:1:Column:44"
    // and the reason.
    private static final Pattern ERROR_AT = Pattern.compile("ERROR at Row:\\d+:Column:\\d+");
    private static final Pattern STATEMENT_WORD = Pattern.compile("(?i)\\b(SELECT|WHERE)\\b");
    // Unrolled ("normal* (special normal*)*", possessive): an alternation inside a repeated group
    // recurses once per character in java.util.regex and overflows the stack on a long literal.
    private static final Pattern LITERAL = Pattern.compile("'([^'\\\\]*+(?:\\\\.[^'\\\\]*+)*+)'");

    /**
     * The part of a query error's message that can be quoted: from Salesforce's {@code ERROR at
     * Row:r:Column:c} on (what comes before it is the statement), cut before any {@code SELECT} or
     * {@code WHERE} still in it, and nothing at all when it holds one of the statement's string
     * literals (an email or phone of the batch).
     */
    static String queryErrorMessage(String message, String soql) {
        if (message == null) {
            return "";
        }
        String text = message;
        Matcher at = ERROR_AT.matcher(text);
        if (at.find()) {
            text = text.substring(at.start());
        }
        Matcher statement = STATEMENT_WORD.matcher(text);
        if (statement.find()) {
            text = text.substring(0, statement.start());
        }
        text = text.replaceAll("\\s+", " ").strip();
        String lower = text.toLowerCase(Locale.ROOT);
        Matcher literal = LITERAL.matcher(soql);
        while (literal.find()) {
            String raw = literal.group(1);
            String unescaped = raw.replaceAll("\\\\(.)", "$1");
            for (String form : List.of(raw, unescaped)) {
                if (!form.isBlank() && lower.contains(form.toLowerCase(Locale.ROOT))) {
                    return "";
                }
            }
        }
        return text;
    }

    private List<ApiError> apiErrors(String body) {
        try {
            JsonNode node = mapper.readTree(body);
            List<ApiError> errors = new ArrayList<>();
            if (node != null && node.isArray()) {
                for (JsonNode e : node) {
                    errors.add(mapper.treeToValue(e, ApiError.class));
                }
            }
            return errors;
        } catch (IOException | IllegalArgumentException e) {
            return List.of();
        }
    }

    private Optional<String> errorCode(String body) {
        return apiErrors(body).stream().map(ApiError::errorCode).filter(c -> c != null).findFirst();
    }

    private static String errorBody(Response<?> r) {
        try (ResponseBody b = r.errorBody()) {
            return b == null ? "" : b.string();
        } catch (IOException e) {
            return "";
        }
    }

    /** The raw response with its error body restored, for {@link HttpErrors}, which peeks at it. */
    private static okhttp3.Response withBody(Response<?> r, String body) {
        String type = r.raw().header("Content-Type");
        MediaType mediaType = type == null ? null : MediaType.parse(type);
        return r.raw().newBuilder().body(ResponseBody.create(body, mediaType != null ? mediaType
                : MediaType.parse("text/plain"))).build();
    }

    private static boolean isHtml(ResponseBody body) {
        MediaType type = body.contentType();
        return type != null && type.subtype().toLowerCase(Locale.ROOT).contains("html");
    }

    // ----- login -----

    private synchronized Session session() {
        if (session == null) {
            session = login();
        }
        return session;
    }

    private synchronized void invalidate(Session expired) {
        if (session == expired) {
            session = null;
        }
    }

    private Session login() {
        Map<String, String> form = new LinkedHashMap<>();
        boolean password = config.authFlow() == SalesforceConfig.AuthFlow.PASSWORD;
        if (password) {
            form.put("grant_type", "password");
            form.put("client_id", config.clientId());
            config.clientSecret().ifPresent(s -> form.put("client_secret", s));
            form.put("username", config.login().orElse(""));
            // Salesforce wants the security token appended to the password.
            form.put("password", config.password().orElse("") + config.securityToken().orElse(""));
        } else {
            form.put("grant_type", "client_credentials");
            form.put("client_id", config.clientId());
            form.put("client_secret", config.clientSecret().orElse(""));
        }
        String who = password ? "user " + config.login().orElse("?") : "client credentials of app " + config.clientId();
        Response<TokenResponse> r = execute("Salesforce login", oauth.token(form));
        if (!r.isSuccessful()) {
            throw loginError(r, errorBody(r), who);
        }
        TokenResponse token = r.body();
        HttpUrl instance = token == null || token.instanceUrl() == null ? null : HttpUrl.parse(token.instanceUrl());
        if (token == null || token.accessToken() == null || token.accessToken().isBlank() || instance == null) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Salesforce login of " + who + " at "
                    + config.loginHost() + " answered without an access token or a valid instance_url");
        }
        if (!sameHost(instance, baseUrl(config.apiHost()))) {
            LOG.info("Salesforce login returned instance {}; data calls go there (api.host is {})", instance.host(),
                    config.apiHost());
        }
        HttpUrl dataBase = instance.newBuilder().encodedPath("/services/data/v" + config.apiVersion() + "/").build();
        SalesforceApi api = dataApis.baseUrl(dataBase).build().create(SalesforceApi.class);
        SalesforceApi exportApi = exportApis.baseUrl(dataBase).build().create(SalesforceApi.class);
        // Not the user name: it is often an email address.
        LOG.debug("logged in to Salesforce ({} flow) at {}", password ? "password" : "client credentials",
                Redaction.hostAndPort(instance));
        return new Session(token.accessToken(), instance, dataBase, api, exportApi);
    }

    private CrmSyncException loginError(Response<?> r, String body, String who) {
        Optional<CrmSyncException> limit = limitExceeded(r.code(), body, "login of " + who + " at "
                + config.loginHost(), r.raw().request());
        if (limit.isPresent()) {
            return limit.get();
        }
        OAuthError error;
        try {
            error = mapper.readValue(body, OAuthError.class);
        } catch (IOException e) {
            error = null;
        }
        if (error == null || error.error() == null) {
            return httpError(withBody(r, body), "Salesforce login of " + who + " at " + config.loginHost());
        }
        String said = error.error() + (error.description() == null ? "" : " (" + error.description() + ")");
        String start = "Salesforce refused the login of " + who + " at " + config.loginHost() + ": " + said + ". ";
        String message;
        ErrorCode code = ErrorCode.AUTHENTICATION_FAILED;
        switch (error.error()) {
            case "invalid_grant":
                message = start + (config.authFlow() == SalesforceConfig.AuthFlow.PASSWORD
                        ? "Check login, password and security.token (Salesforce expects the token appended to the"
                                + " password, and a password reset issues a new token), that the user is active and"
                                + " not locked out, and that the org allows the username-password flow."
                        : "Check that the app enables the client credentials flow and names a run-as user, and that"
                                + " login.host is the org's My Domain host.");
                break;
            case "invalid_client_id":
            case "invalid_client":
            case "invalid_client_credentials":
                message = start + "Check client.id and client.secret (the app's consumer key and secret).";
                break;
            case "unsupported_grant_type":
                code = ErrorCode.INVALID_CONFIGURATION;
                message = start + "The org or app does not allow this login flow; Salesforce blocks the"
                        + " username-password flow in many orgs. Set auth.flow to client_credentials.";
                break;
            default:
                message = start + "Check the credentials and the app's OAuth policies.";
        }
        // Not retried: the same credentials get the same answer, and repeated failures can lock the user out.
        return CrmSyncException.http(code, Redaction.redactSecrets(message + " Not retried.", secrets()), r.code(), null);
    }

    /** {@link HttpErrors}' exception (status, advice, the quoted body) with our secrets masked too. */
    private CrmSyncException httpError(okhttp3.Response response, String what) {
        return HttpErrors.of(response, what).secrets(secrets()).toException();
    }

    private List<String> secrets() {
        List<String> secrets = new ArrayList<>(config.secretValues());
        Session s;
        synchronized (this) {
            s = session;
        }
        if (s != null) {
            secrets.add(s.accessToken());
        }
        return secrets;
    }

    private HttpUrl baseUrl(String host) {
        HttpUrl url = HttpUrl.parse((plainHttp ? "http://" : "https://") + host + "/");
        if (url == null) {
            throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, "'" + host + "' is not a host name");
        }
        return url;
    }

    /** Same host (ignoring case) and port: where a request, and the session it carries, goes. */
    private static boolean sameHost(HttpUrl a, HttpUrl b) {
        return a.host().equalsIgnoreCase(b.host()) && a.port() == b.port();
    }

    // ----- interceptors -----

    /**
     * An update by Id, a token request and a Composite request of queries may be sent twice; a create
     * (POST composite/sobjects) may not, since Salesforce does not deduplicate it. The REST API and the
     * token endpoint answer JSON, and say so in {@code Accept}, so HttpClients checks that what comes back
     * is JSON; the export download (CSV, or the login page it answers an unaccepted session with) asks for
     * none.
     */
    private static okhttp3.Response prepare(Interceptor.Chain chain) throws IOException {
        Request request = chain.request();
        boolean safeToRepeat = "PATCH".equals(request.method())
                || ("POST".equals(request.method()) && request.url().encodedPath().endsWith(TOKEN_PATH))
                || isComposite(request);
        Request.Builder b = request.newBuilder();
        if (safeToRepeat) {
            HttpClients.idempotent(b);
        }
        if (request.url().encodedPath().startsWith("/services/") && request.header("Accept") == null) {
            b.header("Accept", "application/json");
        }
        return chain.proceed(b.build());
    }

    private okhttp3.Response observeLimit(Interceptor.Chain chain) throws IOException {
        okhttp3.Response response = chain.proceed(chain.request());
        String info = response.header(LIMIT_HEADER);
        if (info != null) {
            Matcher m = API_USAGE.matcher(info);
            if (m.find()) {
                ApiCallMeter current = meter.get();
                if (current != null) {
                    current.observeRemoteLimit(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
                }
            }
        }
        return response;
    }

    /** {@code used} and {@code max} of a {@code Sforce-Limit-Info} value, for tests. */
    static Optional<long[]> apiUsage(String headerValue) {
        Matcher m = API_USAGE.matcher(headerValue);
        return m.find() ? Optional.of(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))})
                : Optional.empty();
    }
}
