package org.crmsync.luminate;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.activity.ActivityMapping;
import org.crmsync.http.HttpClients;
import org.crmsync.http.RunMeters;
import org.crmsync.luminate.internal.LuminateClient;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.MatchKey;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;

/**
 * The {@value #ID} connector: Blackbaud Luminate Online (Convio), two-way; inbound from the nightly
 * changed-records file, each changed constituent read through the API. Found by {@link
 * java.util.ServiceLoader}. Stateless.
 */
public final class LuminateConnectorProvider implements ConnectorProvider {
    public static final String ID = "luminate";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Luminate Online";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return LuminateConfig.keys();
    }

    /** {@link LuminateMapping#defaults} with the seed's Custom Boolean 50 as the opt-in. */
    @Override
    public FieldMapping defaultMapping() {
        return LuminateMapping.defaults(LuminateConfig.DEFAULT_OPTIN_FIELD);
    }

    /** {@link LuminateMapping#defaults} with the configured {@code optin.field}. */
    @Override
    public FieldMapping defaultMapping(Map<String, String> config) {
        String field = config.getOrDefault(LuminateConfig.OPTIN_FIELD, "").trim();
        return LuminateMapping.defaults(field.isEmpty() ? LuminateConfig.DEFAULT_OPTIN_FIELD : field);
    }

    /**
     * The seed's source code ({@code mcommons} unless configured otherwise is the connector's, not the policy's)
     * and matching: the constituent ID first, then the email; Luminate cannot look a constituent up by phone, so
     * outbound matching names no phone.
     */
    @Override
    public SyncPolicy.Builder policyPreset() {
        return SyncPolicy.builder().outboundMatchOrder(MatchKey.CONSTITUENT_ID, MatchKey.EMAIL);
    }

    @Override
    public ActivityMapping defaultActivityMapping() {
        return Activities.defaultMapping();
    }

    @Override
    public List<ConfigProblem> validate(Map<String, String> config) {
        return LuminateConfig.validate(config);
    }

    /**
     * @throws CrmSyncException with code {@code INVALID_CONFIGURATION} listing every problem, or when the
     *     changed-records file is on a plain ftp:// or http:// URL and the context does not allow plain connections
     */
    @Override
    public Connector create(Map<String, String> config, ConnectorContext context) {
        requireNonNull(context, "context");
        LuminateConfig c = LuminateConfig.from(requireNonNull(config, "config"));
        if (c.export().scheme() == ExportLocation.Scheme.FTP && !context.allowPlainHttp()) {
            throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, "luminate: " + LuminateConfig.EXPORT_URL
                    + " is plain ftp://, which sends the Data Sync password unencrypted; use ftps:// (Luminate's file"
                    + " transfer is FTP with explicit TLS). Plain FTP is only for tests against a local server.");
        }
        RunMeters meters = new RunMeters();
        // No client-side rate limit: Luminate documents none for the server API; a 429 or 5xx is retried with
        // backoff, and the policy's daily quota bounds the calls of a day.
        OkHttpClient http = HttpClients.builder()
                .clock(context.clock())
                .sleeper(context.sleeper())
                .settings(c.httpSettings())
                .meter(meters::current)
                .allowPlainHttp(context.allowPlainHttp())
                .build();
        LuminateClient client = LuminateClient.create(c.apiBase(), c.apiKey(), c.login(), c.password(), http,
                c.httpSettings(), c.secretValues());
        return new LuminateConnector(c, client, http, meters);
    }
}
