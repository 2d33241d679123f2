package org.crmsync.salesforce;

import java.util.List;
import java.util.Map;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.ConnectorConfig;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;

/**
 * Makes {@link SalesforceConnector}s; found by {@link java.util.ServiceLoader} under the id
 * {@value #ID}. Stateless.
 */
public final class SalesforceConnectorProvider implements ConnectorProvider {
    public static final String ID = "salesforce";

    public SalesforceConnectorProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Salesforce";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return SalesforceConfig.keys();
    }

    @Override
    public FieldMapping defaultMapping() {
        return SalesforceMapping.defaults();
    }

    /** The default mapping with the configured opt-in field ({@code optin.field}). */
    @Override
    public FieldMapping defaultMapping(Map<String, String> config) {
        return SalesforceMapping.defaults(SalesforceConfig.from(config).optInField());
    }

    /**
     * The Salesforce seed's defaults: "If you leave these fields blank, the first name will be Contact"
     * (and no default last name: Salesforce requires one, so a new opt-in without a last name is
     * reported, not sent).
     */
    @Override
    public SyncPolicy.Builder policyPreset() {
        return SyncPolicy.builder().defaultFirstName(SalesforceConnector.SEED_DEFAULT_FIRST_NAME);
    }

    @Override
    public List<ConfigProblem> validate(Map<String, String> config) {
        return SalesforceConfig.validate(config);
    }

    /**
     * @throws org.crmsync.CrmSyncException with code {@code INVALID_CONFIGURATION} listing every problem
     */
    @Override
    public SalesforceConnector create(Map<String, String> config, ConnectorContext context) {
        return new SalesforceConnector(SalesforceConfig.from(config), context); // validated once, in from
    }
}
