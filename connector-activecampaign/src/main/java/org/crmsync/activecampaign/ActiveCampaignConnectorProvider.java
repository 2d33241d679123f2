package org.crmsync.activecampaign;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.crmsync.activecampaign.internal.ActiveCampaignClient;
import org.crmsync.http.HttpClients;
import org.crmsync.http.RunMeters;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.Authority;
import org.crmsync.policy.MatchKey;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;

/**
 * The {@value #ID} connector: ActiveCampaign API v3 with a system-of-record export (the application
 * overwrites mapped fields, matches by the local ID custom field, else by name and email, and writes the
 * local ID once) and an import of contacts unknown locally as prospects. Found by {@link
 * java.util.ServiceLoader}.
 *
 * <p>Each connector {@link #create created} here has its own rate limiter, at {@code rate.limit}
 * requests per second; ActiveCampaign's limit of 5 per second is per account. Create one connector per
 * account and use it in every job of that account (the engine runs one connector in several jobs, e.g.
 * the import and the export), or, if an account needs several instances, divide {@code rate.limit}
 * among them so that together they stay at 5.
 */
public final class ActiveCampaignConnectorProvider implements ConnectorProvider {
    public static final String ID = "activecampaign";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "ActiveCampaign";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return ActiveCampaignConfig.keys();
    }

    /** {@link ActiveCampaignMapping#defaults()}; the seed's SONIS table is {@link ActiveCampaignMapping#sonisPreset()}. */
    @Override
    public FieldMapping defaultMapping() {
        return ActiveCampaignMapping.defaults();
    }

    /** The default mapping with the configured local-ID field ({@code local.id.field}). */
    @Override
    public FieldMapping defaultMapping(Map<String, String> config) {
        return ActiveCampaignMapping.defaults(ActiveCampaignConfig.from(config).localIdField());
    }

    /**
     * The system-of-record seed: the application is the system of record, matched by the local ID in
     * the CRM, then by first name, last name and email; a student without a mobile number is still
     * exported (the seed syncs every student, not only SMS subscribers).
     */
    @Override
    public SyncPolicy.Builder policyPreset() {
        return SyncPolicy.builder().mode(SyncMode.LIBERAL).authority(Authority.LOCAL_SYSTEM_OF_RECORD)
                .requireMobileNumber(false)
                .inboundMatchOrder(MatchKey.CONSTITUENT_ID, MatchKey.LOCAL_ID, MatchKey.NAME_AND_EMAIL)
                .outboundMatchOrder(MatchKey.LOCAL_ID, MatchKey.NAME_AND_EMAIL);
    }

    @Override
    public List<ConfigProblem> validate(Map<String, String> config) {
        return ActiveCampaignConfig.validate(config);
    }

    @Override
    public Connector create(Map<String, String> config, ConnectorContext context) {
        requireNonNull(context, "context");
        ActiveCampaignConfig c = ActiveCampaignConfig.from(requireNonNull(config, "config"));
        RunMeters meters = new RunMeters();
        OkHttpClient http = HttpClients.builder()
                .clock(context.clock())
                .sleeper(context.sleeper())
                // ActiveCampaign: 5 requests per second per account, 429 with Retry-After above it
                // (https://developers.activecampaign.com/reference/rate-limits). Kept 10% under the
                // configured rate, one call at a time, so no rolling second ever holds more than the rate
                // even when requests arrive unevenly; a 429 pauses every call of this instance. The limiter
                // is this instance's alone (no global state): one instance per account, or rate.limit divided.
                .declaredRateLimit(c.rateLimit())
                .settings(c.httpSettings())
                .meter(meters::current)
                .secretNames(List.of("Api-Token"))
                .allowPlainHttp(context.allowPlainHttp())
                .build();
        ActiveCampaignClient client = ActiveCampaignClient.create(c.apiUrl(), c.apiToken(), http, c.httpSettings());
        return new ActiveCampaignConnector(c, client, http, meters, context.clock(), context.sleeper());
    }
}
