package org.crmsync.actionkit;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Set;
import okhttp3.OkHttpClient;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ResourceSchema;
import org.crmsync.http.HttpClients;
import org.crmsync.http.RetryPolicy;
import org.crmsync.http.RunMeters;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.spi.Capability;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.SyncContext;

/**
 * One ActionKit instance as a crmsync {@link Connector}, over the REST API v1.
 *
 * <ul>
 *   <li>Inbound: users changed since a {@code (updated_at, id)} cursor, 100 a page, with their phones
 *       ({@link UserChangeStream}); a user needs a mobile phone and (the policy) a US address.
 *   <li>Outbound: a look-up of the batch by id, email and mobile number ({@link UserLookup}), then each
 *       record through the user and phone resources ({@link UserWriter}), or, with an Import page
 *       configured, large batches through the upload API ({@link UserUploads}).
 *   <li>Activities: mConnect calls as actions on their call pages, each once ({@link CallActions}).
 *   <li>Preflight: the login, the opt-in field, the mapped fields, the filters the schemas allow, the
 *       pages the configuration names ({@link Preflight}).
 * </ul>
 *
 * <p>One HTTP client serves every run, at most {@code requests.in.flight} requests at once over all of
 * them; each request is charged to its run's meter. Thread-safe: the inbound and outbound jobs of one
 * instance may share it and run at once. Create one through {@link ActionKitConnectorProvider}.
 */
public final class ActionKitConnector implements Connector {
    /** Records per engine batch: one page of a look-up's answers, and the most objects ActionKit returns a page. */
    static final int BATCH_SIZE = 100;
    /** Records per engine batch when large batches are uploaded. */
    static final int UPLOAD_BATCH_SIZE = 500;

    private final ActionKitConfig config;
    private final RunMeters meters = new RunMeters();
    private final OkHttpClient http;
    private final ActionKitClient client;
    private final ConnectorContext context;
    private volatile Schemas schemas;

    ActionKitConnector(ActionKitConfig config, ConnectorContext context) {
        this(config, context, RetryPolicy.defaults());
    }

    ActionKitConnector(ActionKitConfig config, ConnectorContext context, RetryPolicy retryPolicy) {
        this.config = requireNonNull(config, "config");
        this.context = requireNonNull(context, "context");
        this.http = HttpClients.builder().clock(context.clock()).sleeper(context.sleeper()).retryPolicy(retryPolicy)
                .settings(config.httpSettings()).meter(meters::current).allowPlainHttp(context.allowPlainHttp()).build();
        this.client = new ActionKitClient(config.host(), config.login(), config.password(), context.allowPlainHttp(), http,
                config.httpSettings(), config.requestsInFlight());
    }

    public ActionKitConfig config() {
        return config;
    }

    /** The default mapping with this instance's opt-in field. */
    public FieldMapping defaultMapping() {
        return ActionKitMapping.defaults(config.optInField());
    }

    ActionKitClient client() {
        return client;
    }

    ConnectorContext context() {
        return context;
    }

    @Override
    public String providerId() {
        return ActionKitConnectorProvider.ID;
    }

    /** The instance's host and the API user: never the password. */
    @Override
    public String accountKey() {
        return config.host() + "/" + config.login();
    }

    /**
     * Users can be read by id, so inbound retries read the current user; mConnect calls are posted as
     * actions, and each carries its key in an action field, looked for before a call in doubt is posted
     * again ({@link CallActions}).
     */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.READ_BY_ID, Capability.WRITE_ACTIVITIES, Capability.FINDS_ACTIVITIES_BY_KEY);
    }

    /**
     * {@value #BATCH_SIZE} records a batch; {@value #UPLOAD_BATCH_SIZE} when an Import page is configured,
     * so that an upload carries that many users (a file per batch, and one look-up per 50 of them).
     */
    @Override
    public int preferredBatchSize() {
        return config.uploadPage().isPresent() ? UPLOAD_BATCH_SIZE : BATCH_SIZE;
    }

    /**
     * {@code requests.in.flight}: the engine may have that many batches' calls in flight; the client holds
     * every request of this connector to the same bound, which ActionKit's 429 ("too many simultaneous
     * requests") is about.
     */
    @Override
    public int maxCallsInFlight() {
        return config.requestsInFlight();
    }

    @Override
    public ConnectorSession open(SyncContext run) {
        return new ActionKitSession(this, requireNonNull(run, "run"), meters);
    }

    /** Reads the user and phone schemas (two calls) and keeps them for the runs that follow. */
    Schemas loadSchemas() {
        Schemas s = new Schemas(client.schema("user", "user schema (GET /rest/v1/user/schema/)"),
                client.schema("phone", "phone schema (GET /rest/v1/phone/schema/)"));
        schemas = s;
        return s;
    }

    /** The schemas a preflight read, or read now (a run trusted an earlier preflight on another connector). */
    Schemas schemas() {
        Schemas s = schemas;
        return s != null ? s : loadSchemas();
    }

    /** For tests: the schemas as if read. */
    void schemas(ResourceSchema user, ResourceSchema phone) {
        this.schemas = new Schemas(user, phone);
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return "ActionKitConnector{" + config.host() + "}";
    }
}
