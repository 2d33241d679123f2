package org.crmsync.examples;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crmsync.activity.ActivityMapping;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorConfig;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.testing.FakeConnector;

/**
 * The provider of the in-memory stand-in CRM (the test kit's {@link FakeConnector}), found through
 * {@code META-INF/services} like every connector: the smallest example of how a CRM plugs in. Id
 * {@code memory}.
 */
public final class InMemoryCrmProvider implements ConnectorProvider {
    static final String ID = "memory";
    static final String CONTACTS = "generated.contacts";
    static final String ACCESS_KEY = "access.key";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "In-memory demo CRM";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(
                ConfigKey.optional(CONTACTS, ConfigKey.Type.INT, "0",
                        "how many generated contacts the CRM starts with"),
                ConfigKey.secret(ACCESS_KEY, false,
                        "an API key, to show how secrets are declared: never printed, logged or reported"));
    }

    @Override
    public FieldMapping defaultMapping() {
        return FieldMapping.defaults();
    }

    @Override
    public Connector create(Map<String, String> config, ConnectorContext context) {
        ConnectorConfig c = ConnectorConfig.of(ID, configKeys(), config);
        FakeConnector crm = memoryCrm();
        new ContactGenerator(7).contacts((int) c.getLong(CONTACTS).orElse(0)).forEach(crm::add);
        return crm;
    }

    /**
     * Calls as the memory CRM takes them: the advocacy call fields of the Luminate seed ("legislator
     * called" with the recipient, the alert and the time of the call), under the same names.
     */
    @Override
    public ActivityMapping defaultActivityMapping() {
        return ActivityMapping.builder().type("call", "call").map("call", "recipient_id", "recipient_id")
                .map("call", "alert_id", "alert_id").map("call", "start_time", "start_time")
                .required("call", "recipient_id").build();
    }

    /**
     * The test kit's in-memory CRM, as the {@code memory} connector: the seeds' default field names; it
     * takes activities 50 to a call and keeps their keys, so an in-doubt one is looked for first.
     */
    static FakeConnector memoryCrm() {
        return new FakeConnector(ID, 200).knownFields(Set.copyOf(FieldMapping.defaults().apiNames()))
                .accountKey("memory/local").postsActivities(50, true);
    }
}
