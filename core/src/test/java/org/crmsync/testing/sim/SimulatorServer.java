package org.crmsync.testing.sim;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.function.Function;

/**
 * A WireMock server on {@code 127.0.0.1} and a free port whose every request is answered by one
 * handler, the simulator's: no stubs to keep in step with the CRM's state. A handler that throws
 * answers 500 with the exception's text, so a simulator bug shows in the test that met it.
 */
public final class SimulatorServer implements AutoCloseable {
    private final WireMockServer server;

    private SimulatorServer(WireMockServer server) {
        this.server = server;
    }

    /**
     * @param name the transformer's name (one per simulator)
     * @param handler the simulator's answer to each request
     */
    public static SimulatorServer start(String name, Function<Request, ResponseDefinition> handler) {
        ResponseDefinitionTransformerV2 transformer = new ResponseDefinitionTransformerV2() {
            @Override
            public ResponseDefinition transform(ServeEvent event) {
                try {
                    return handler.apply(event.getRequest());
                } catch (RuntimeException e) {
                    return aResponse().withStatus(500).withHeader("Content-Type", "text/plain")
                            .withBody("simulator failure: " + e).build();
                }
            }

            @Override
            public String getName() {
                return name;
            }

            @Override
            public boolean applyGlobally() {
                return false;
            }
        };
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .jettyAcceptors(1).jettyHeaderRequestSize(64 * 1024).extensions(transformer));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(name)));
        return new SimulatorServer(server);
    }

    public int port() {
        return server.port();
    }

    /** {@code http://127.0.0.1:port} */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
