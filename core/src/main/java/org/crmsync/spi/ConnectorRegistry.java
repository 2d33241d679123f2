package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;

/**
 * The connectors found on the class path through {@link ServiceLoader}. Loading fails at once, with a
 * message naming the classes, when two providers claim the same id or a provider cannot be loaded.
 */
public final class ConnectorRegistry {
    private final Map<String, ConnectorProvider> providers;

    private ConnectorRegistry(Map<String, ConnectorProvider> providers) {
        this.providers = Collections.unmodifiableMap(providers);
    }

    /** The providers visible to this class's class loader. */
    public static ConnectorRegistry load() {
        return load(ConnectorRegistry.class.getClassLoader());
    }

    public static ConnectorRegistry load(ClassLoader classLoader) {
        requireNonNull(classLoader, "classLoader");
        List<ConnectorProvider> found = new ArrayList<>();
        try {
            ServiceLoader.load(ConnectorProvider.class, classLoader).forEach(found::add);
        } catch (ServiceConfigurationError e) {
            throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION,
                    "a connector provider listed in META-INF/services/" + ConnectorProvider.class.getName()
                            + " could not be loaded: " + e.getMessage(), e);
        }
        return of(found);
    }

    /** A registry of exactly these providers (tests, applications that wire providers by hand). */
    public static ConnectorRegistry of(List<? extends ConnectorProvider> found) {
        Map<String, ConnectorProvider> byId = new TreeMap<>();
        for (ConnectorProvider p : found) {
            String id = requireNonNull(p.id(), () -> p.getClass().getName() + ".id()");
            ConnectorProvider earlier = byId.putIfAbsent(id, p);
            if (earlier != null) {
                throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, "two connector providers claim the id '"
                        + id + "': " + earlier.getClass().getName() + " and " + p.getClass().getName()
                        + "; remove one of the modules from the class path");
            }
        }
        return new ConnectorRegistry(byId);
    }

    /** The ids found, sorted. */
    public List<String> ids() {
        return List.copyOf(providers.keySet());
    }

    public List<ConnectorProvider> providers() {
        return List.copyOf(providers.values());
    }

    /** @throws CrmSyncException naming the ids that are available when {@code id} is not one of them */
    public ConnectorProvider provider(String id) {
        requireNonNull(id, "id");
        ConnectorProvider p = providers.get(id);
        if (p == null) {
            throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, "no connector with id '" + id
                    + "' is on the class path; found " + (providers.isEmpty() ? "none" : providers.keySet())
                    + ". Add the connector-" + id + " module as a dependency.");
        }
        return p;
    }

    /**
     * Validates {@code config} for connector {@code id} and creates the connector.
     *
     * @throws CrmSyncException with code {@code INVALID_CONFIGURATION} listing every problem
     */
    public Connector create(String id, Map<String, String> config, ConnectorContext context) {
        // The provider validates, once: ConnectorProvider.create refuses what validate would report.
        return provider(id).create(requireNonNull(config, "config"), requireNonNull(context, "context"));
    }
}
