package org.crmsync.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.mapping.FieldMapping;
import org.junit.jupiter.api.Test;

class ConnectorRegistryTest {
    private static final String SECRET = "s3cr3t-value";

    /** A second provider under another id. */
    static final class MirrorProvider implements ConnectorProvider {
        @Override
        public String id() {
            return "mirror";
        }

        @Override
        public List<ConfigKey> configKeys() {
            return List.of();
        }

        @Override
        public FieldMapping defaultMapping() {
            return FieldMapping.defaults();
        }

        @Override
        public Connector create(Map<String, String> config, ConnectorContext context) {
            return new EchoConnectorProvider().create(Map.of("api.host", "mirror.example.org", "api.token", "t"),
                    context);
        }
    }

    /** A different class that claims the echo provider's id. */
    static final class ImpostorEchoProvider implements ConnectorProvider {
        @Override
        public String id() {
            return "echo";
        }

        @Override
        public List<ConfigKey> configKeys() {
            return List.of();
        }

        @Override
        public FieldMapping defaultMapping() {
            return FieldMapping.defaults();
        }

        @Override
        public Connector create(Map<String, String> config, ConnectorContext context) {
            throw new UnsupportedOperationException();
        }
    }

    private static ConnectorRegistry registry() {
        return ConnectorRegistry.of(List.of(new MirrorProvider(), new EchoConnectorProvider()));
    }

    @Test
    void idsAreSortedAndProvidersFoundById() {
        ConnectorRegistry r = registry();

        assertThat(r.ids()).containsExactly("echo", "mirror");
        assertThat(r.provider("echo")).isInstanceOf(EchoConnectorProvider.class);
        assertThat(r.provider("mirror")).isInstanceOf(MirrorProvider.class);
        assertThat(r.providers()).hasSize(2);
    }

    @Test
    void anUnknownIdNamesTheAvailableIds() {
        CrmSyncException e = catchThrowableOfType(CrmSyncException.class, () -> registry().provider("salesforce"));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("'salesforce'").contains("[echo, mirror]")
                .contains("connector-salesforce");
    }

    @Test
    void anUnknownIdInAnEmptyRegistrySaysNoneWasFound() {
        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> ConnectorRegistry.of(List.of()).provider("echo"));

        assertThat(e.getMessage()).contains("found none");
    }

    @Test
    void twoProvidersWithTheSameIdFailNamingBothClasses() {
        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> ConnectorRegistry.of(List.of(new EchoConnectorProvider(), new ImpostorEchoProvider())));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("'echo'")
                .contains(EchoConnectorProvider.class.getName())
                .contains(ImpostorEchoProvider.class.getName());
    }

    @Test
    void createValidatesTheConfigurationAndListsEveryProblem() {
        CrmSyncException e = catchThrowableOfType(CrmSyncException.class, () -> registry().create("echo",
                Map.of("api.host", "not a host!", "page.size", "many", "colour", "blue"),
                ConnectorContext.defaults()));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage())
                .contains("echo configuration has 4 problems")
                .contains("colour: unknown key")
                .contains("api.host: 'not a host!' is not a host name")
                .contains("api.token: is required")
                .contains("page.size: 'many' is not a whole number");
    }

    @Test
    void createDoesNotPrintTheSecretWhenTheRestIsWrong() {
        CrmSyncException e = catchThrowableOfType(CrmSyncException.class, () -> registry().create("echo",
                Map.of("api.token", SECRET, "page.size", "-1"), ConnectorContext.defaults()));

        assertThat(e.getMessage()).contains("api.host: is required").contains("page.size")
                .doesNotContain(SECRET);
    }

    @Test
    void createMakesTheConnectorFromAValidConfiguration() {
        Connector c = registry().create("echo", Map.of("api.host", "echo.example.org", "api.token", SECRET),
                ConnectorContext.defaults());

        assertThat(c.providerId()).isEqualTo("echo");
        assertThat(c).isInstanceOfSatisfying(EchoConnectorProvider.EchoConnector.class, echo -> {
            assertThat(echo.config.require("api.host")).isEqualTo("echo.example.org");
            assertThat(echo.config.getLong("page.size")).hasValue(100);
            assertThat(echo.config.toString()).doesNotContain(SECRET);
        });
        c.close();
    }

    @Test
    void createForAnUnknownIdNamesTheAvailableIds() {
        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> registry().create("luminate", Map.of(), ConnectorContext.defaults()));

        assertThat(e.getMessage()).contains("'luminate'").contains("[echo, mirror]");
    }

    @Test
    void loadFindsAProviderRegisteredInMetaInfServices() {
        ConnectorRegistry r = ConnectorRegistry.load();

        assertThat(r.ids()).contains("echo");
        assertThat(r.provider("echo")).isInstanceOf(EchoConnectorProvider.class);
        assertThat(r.provider("echo").displayName()).isEqualTo("Echo");
    }

    @Test
    void loadWithAClassLoaderThatSeesNoProviderFindsNone() throws Exception {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThat(ConnectorRegistry.load(empty).ids()).isEmpty();
        }
    }
}
