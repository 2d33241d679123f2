package org.crmsync.salesforce;

import java.util.List;
import java.util.Map;
import org.crmsync.mapping.FieldMapping;
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

    @Override
    public List<ConfigProblem> validate(Map<String, String> config) {
        return SalesforceConfig.validate(config);
    }

    /**
     * @throws org.crmsync.CrmSyncException with code {@code INVALID_CONFIGURATION} listing every problem
     */
    @Override
    public SalesforceConnector create(Map<String, String> config, ConnectorContext context) {
        List<ConfigProblem> problems = validate(config);
        if (!problems.isEmpty()) {
            throw ConnectorConfig.invalid(ID, problems);
        }
        return new SalesforceConnector(SalesforceConfig.from(ConnectorConfig.of(ID, configKeys(), config)), context);
    }
}
