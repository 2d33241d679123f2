package org.crmsync.spi;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crmsync.mapping.FieldMapping;

/**
 * A test-only provider, registered in {@code src/test/resources/META-INF/services}, so that
 * {@link ConnectorRegistry#load()} has something to find. Its connector does nothing.
 */
public final class EchoConnectorProvider implements ConnectorProvider {
    static final String ID = "echo";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Echo";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(
                ConfigKey.required("api.host", ConfigKey.Type.HOST, "the echo server's host"),
                ConfigKey.secret("api.token", true, "the echo server's token"),
                ConfigKey.optional("page.size", ConfigKey.Type.INT, "100", "records per page"));
    }

    @Override
    public FieldMapping defaultMapping() {
        return FieldMapping.defaults();
    }

    @Override
    public Connector create(Map<String, String> config, ConnectorContext context) {
        ConnectorConfig parsed = ConnectorConfig.of(ID, configKeys(), config);
        return new EchoConnector(parsed);
    }

    /** A connector that reads nothing and accepts nothing. */
    static final class EchoConnector implements Connector {
        final ConnectorConfig config;

        EchoConnector(ConnectorConfig config) {
            this.config = config;
        }

        @Override
        public String providerId() {
            return ID;
        }

        @Override
        public String accountKey() {
            return "echo";
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public ConnectorSession open(SyncContext context) {
            return new ConnectorSession() {
                @Override
                public List<PreflightProblem> preflight() {
                    return List.of();
                }

                @Override
                public ChangeFeed readChanges(SyncCursor since) {
                    return ChangeFeed.ready(ChangeStream.of(List.of()));
                }

                @Override
                public Map<String, List<RemoteRecord>> lookup(List<LookupRequest> requests) {
                    return Map.of();
                }

                @Override
                public List<WriteResult> write(List<RemoteWrite> batch) {
                    return List.of();
                }
            };
        }
    }
}
