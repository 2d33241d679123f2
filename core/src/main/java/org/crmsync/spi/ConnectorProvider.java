package org.crmsync.spi;

import java.util.List;
import java.util.Map;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncPolicy;

/**
 * Makes connectors for one CRM. Found through {@link java.util.ServiceLoader}: a module lists its
 * provider's class name in {@code META-INF/services/org.crmsync.spi.ConnectorProvider}. Providers
 * have a public no-argument constructor and are stateless.
 */
public interface ConnectorProvider {
    /** A short lower-case id, unique on the class path: {@code salesforce}, {@code actionkit}, ... */
    String id();

    /** A name for people, e.g. {@code Salesforce}. */
    default String displayName() {
        return id();
    }

    /** Every configuration key this connector reads, with type, default, whether required and secret. */
    List<ConfigKey> configKeys();

    /** The connector's default field mapping (the seed's default field names for this CRM). */
    FieldMapping defaultMapping();

    /**
     * The default field mapping for an account with this configuration (for example the configured
     * opt-in field's name); {@link #defaultMapping()} unless the mapping depends on the configuration.
     * Call it with a configuration {@link #validate} accepts.
     */
    default FieldMapping defaultMapping(Map<String, String> config) {
        return defaultMapping();
    }

    /**
     * A policy builder preset with what the seed of this CRM says (for example EveryAction: match on
     * the mobile phone first, US only, a 48-hour look-back; ActionKit: US only and its source code).
     * Applications add their own settings (mode, opt-in path, quota) and build it.
     */
    default SyncPolicy.Builder policyPreset() {
        return SyncPolicy.builder();
    }

    /**
     * The activity types this CRM takes and how their fields map to the CRM's, as the seed names them
     * (an ActionKit call page's fields, a Luminate donation form's); none for a CRM whose connector
     * does not post activities. Applications change it with {@code toBuilder()}.
     */
    default org.crmsync.activity.ActivityMapping defaultActivityMapping() {
        return org.crmsync.activity.ActivityMapping.none();
    }

    /**
     * Every problem with {@code config}, at once: unknown and missing keys, bad types, and rules of
     * this CRM (for example a Salesforce export URL that does not end in {@code =CSV}).
     */
    default List<ConfigProblem> validate(Map<String, String> config) {
        return ConnectorConfig.validate(configKeys(), config);
    }

    /**
     * Creates a connector from a configuration that {@link #validate} accepts.
     *
     * @throws org.crmsync.CrmSyncException with code {@code INVALID_CONFIGURATION} listing every
     *     problem when it does not
     */
    Connector create(Map<String, String> config, ConnectorContext context);
}
