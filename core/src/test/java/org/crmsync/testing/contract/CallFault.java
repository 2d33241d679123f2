package org.crmsync.testing.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

/**
 * What can go wrong with one HTTP call, as the fault matrix injects it: each a WireMock answer a
 * simulator gives instead of its own. {@link #EXPIRED_SESSION} depends on the CRM, so the simulator
 * answers it in its own way.
 */
public enum CallFault {
    /** 429 with {@code Retry-After: 1}. */
    RATE_LIMITED,
    SERVER_ERROR_500,
    BAD_GATEWAY_502,
    UNAVAILABLE_503,
    CONNECTION_RESET,
    EMPTY_RESPONSE,
    MALFORMED_CHUNK,
    /** No answer within the read timeout the contract configures. */
    READ_TIMEOUT,
    /** The CRM's own way of saying the session or token is no longer valid. */
    EXPIRED_SESSION,
    /** A 200 whose JSON is cut off midway. */
    TRUNCATED_JSON,
    /** A gateway's HTML error page. */
    HTML_ERROR_PAGE;

    /** How long a {@link #READ_TIMEOUT} answer is held; the contract's read timeout is well below it. */
    public static final int READ_TIMEOUT_DELAY_MILLIS = 1_500;

    /** The answer for every fault but {@link #EXPIRED_SESSION}, which the simulator makes. */
    public ResponseDefinitionBuilder answer() {
        switch (this) {
            case RATE_LIMITED:
                return aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Too Many Requests\"}");
            case SERVER_ERROR_500:
                return aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"Internal Server Error\"}");
            case BAD_GATEWAY_502:
                return aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                        .withBody("<html><body><h1>502 Bad Gateway</h1></body></html>");
            case UNAVAILABLE_503:
                return aResponse().withStatus(503).withHeader("Content-Type", "text/html")
                        .withBody("<html><body>Service Unavailable</body></html>");
            case CONNECTION_RESET:
                return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
            case EMPTY_RESPONSE:
                return aResponse().withFault(Fault.EMPTY_RESPONSE);
            case MALFORMED_CHUNK:
                return aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK);
            case READ_TIMEOUT:
                return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{}")
                        .withFixedDelay(READ_TIMEOUT_DELAY_MILLIS);
            case TRUNCATED_JSON:
                return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"records\":[{\"Id\":\"003");
            case HTML_ERROR_PAGE:
                return aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                        .withBody("<!DOCTYPE html><html><head><title>Maintenance</title></head><body>We'll be back"
                                + " soon.</body></html>");
            default:
                throw new IllegalStateException(this + " is answered by the simulator");
        }
    }
}
