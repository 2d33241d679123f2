package org.crmsync.actionkit;

import java.util.List;
import java.util.Map;
import org.crmsync.activity.ActivityMapping;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;

/**
 * Makes {@link ActionKitConnector}s; found by {@link java.util.ServiceLoader} under the id {@value #ID}.
 * Stateless.
 */
public final class ActionKitConnectorProvider implements ConnectorProvider {
    public static final String ID = "actionkit";
    /** The seed: "Enter the source code identifying Mobile Commons to your ActionKit system. The default entry is Mobile Commons." */
    public static final String SEED_SOURCE_CODE = "Mobile Commons";

    public ActionKitConnectorProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "ActionKit";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return ActionKitConfig.keys();
    }

    @Override
    public FieldMapping defaultMapping() {
        return ActionKitMapping.defaults();
    }

    /** The default mapping with the configured opt-in field ({@code optin.field}). */
    @Override
    public FieldMapping defaultMapping(Map<String, String> config) {
        return ActionKitMapping.defaults(ActionKitConfig.from(config).optInField());
    }

    /**
     * The ActionKit seed's defaults: "User records must include a listed mobile number and the Country
     * field setting must be US", and the source code "Mobile Commons". The application adds the mode
     * (liberal or conservative) and its web opt-in path.
     */
    @Override
    public SyncPolicy.Builder policyPreset() {
        return SyncPolicy.builder().allowedCountries("US").sourceCode(SEED_SOURCE_CODE);
    }

    /**
     * mConnect calls (the seed's "Syncing mConnect"): activities of type {@code call} posted as actions on
     * the call page. The page is the activity's {@code alert_id} (the mConnect's CRM Alert ID, which the seed
     * fills with the call page's ActionKit ID), or the page {@code call.pages} gives the activity's
     * {@code mconnect_key}; the mConnect key goes along as the action field {@code call_mconnect_id}, the
     * target called as {@code target}.
     */
    @Override
    public ActivityMapping defaultActivityMapping() {
        return CallActions.defaultMapping();
    }

    @Override
    public List<ConfigProblem> validate(Map<String, String> config) {
        return ActionKitConfig.validate(config);
    }

    /** @throws org.crmsync.CrmSyncException with code {@code INVALID_CONFIGURATION} listing every problem */
    @Override
    public ActionKitConnector create(Map<String, String> config, ConnectorContext context) {
        return new ActionKitConnector(ActionKitConfig.from(config), context);
    }
}
