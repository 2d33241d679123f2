package org.crmsync.everyaction;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.crmsync.everyaction.internal.VanClient;
import org.crmsync.http.HttpClients;
import org.crmsync.http.RunMeters;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.MatchKey;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;

/**
 * The {@value #ID} connector: EveryAction / NGP VAN API v4, two-way, matched on the mobile number.
 * Found by {@link java.util.ServiceLoader}. Stateless.
 */
public final class EveryActionConnectorProvider implements ConnectorProvider {
    public static final String ID = "everyaction";

    /** The seed: "updates to any of the supported fields within the past 48 hours". */
    public static final Duration SEED_LOOKBACK = Duration.ofHours(48);

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "EveryAction";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return EveryActionConfig.keys();
    }

    /** {@link EveryActionMapping#defaults()}: the standard fields, nothing else. */
    @Override
    public FieldMapping defaultMapping() {
        return EveryActionMapping.defaults();
    }

    /**
     * The EveryAction seed: match on the mobile phone first ("Mobile Commons can match a record based on
     * the mobile phone number and acquires the email address from EveryAction"), then the VAN ID, then
     * the email; US only ("the Country field setting must be US"); inbound reads look back 48 hours.
     */
    @Override
    public SyncPolicy.Builder policyPreset() {
        return SyncPolicy.builder().allowedCountries("US").inboundLookback(SEED_LOOKBACK)
                .inboundMatchOrder(MatchKey.PHONE, MatchKey.CONSTITUENT_ID, MatchKey.EMAIL)
                .outboundMatchOrder(MatchKey.PHONE, MatchKey.CONSTITUENT_ID, MatchKey.EMAIL);
    }

    @Override
    public List<ConfigProblem> validate(Map<String, String> config) {
        return EveryActionConfig.validate(config);
    }

    /**
     * @throws org.crmsync.CrmSyncException with code {@code INVALID_CONFIGURATION} listing every problem
     */
    @Override
    public Connector create(Map<String, String> config, ConnectorContext context) {
        requireNonNull(context, "context");
        EveryActionConfig c = EveryActionConfig.from(requireNonNull(config, "config"));
        RunMeters meters = new RunMeters();
        // No client-side rate limit: VAN documents none (reference notes §2.7); a 429 is retried with
        // backoff, honouring Retry-After, and the policy's daily quota bounds the calls of a day.
        OkHttpClient http = HttpClients.builder()
                .clock(context.clock())
                .sleeper(context.sleeper())
                .settings(c.httpSettings())
                .meter(meters::current)
                .allowPlainHttp(context.allowPlainHttp())
                .build();
        VanClient client = VanClient.create(c.baseUrl(), c.appName(), c.password(), http, c.httpSettings(),
                c.secretValues());
        return new EveryActionConnector(c, client, http, meters, context.clock());
    }
}
