package org.crmsync.salesforce;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.http.Fault;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.salesforce.SalesforceSimulator.Kind;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncCursor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the connector says when the connection fails or Salesforce (or something in front of it) answers
 * with something else than the REST API's JSON.
 */
class SalesforceHttpFailureTest {
    private static final String MAY_HAVE_APPLIED = "may have applied";

    private final SalesforceFixture f = new SalesforceFixture();

    @AfterEach
    void close() {
        f.close();
    }

    // ----- connection failures -----

    @Test
    void aLoginToAnUnknownHostSaysNothingWasSentAndNamesTheHostSetting() {
        f.set(SalesforceConfig.LOGIN_HOST, "no-such-org.invalid");

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.getMessage()).contains("Salesforce login").contains("no-such-org.invalid")
                .contains("unknown host").contains("login.host").contains("nothing was sent")
                .doesNotContain(MAY_HAVE_APPLIED);
    }

    @Test
    void aLoginToAPortNobodyListensOnIsRefusedAndNothingWasApplied() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        f.set(SalesforceConfig.API_HOST, "127.0.0.1:" + closed);

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.getMessage()).contains("Salesforce login").contains("127.0.0.1:" + closed)
                .contains("refused").contains("api.host").contains("nothing was sent")
                .doesNotContain(MAY_HAVE_APPLIED);
    }

    @Test
    void anHttpsLoginToAHostAnsweringInPlainHttpIsATlsProblemNotAPossiblyAppliedRequest() {
        // The simulator speaks plain HTTP; without allowPlainHttp the connector insists on HTTPS.
        ConnectorContext httpsOnly = new ConnectorContext(f.clock, f.sleeper, false);
        SalesforceConnector connector = (SalesforceConnector) ConnectorRegistry.load()
                .create(SalesforceConnectorProvider.ID, f.config, httpsOnly);

        try (connector) {
            CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                    () -> ((org.crmsync.spi.ChangeFeed.Ready) connector.open(new DirectContext(f))
                            .readChanges(SyncCursor.start())).changes().hasNext());

            assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(e.getMessage()).contains("Salesforce login").contains(f.sf.host())
                    .contains("plain HTTP").contains("certificate").contains("api.host")
                    .doesNotContain(MAY_HAVE_APPLIED);
        }
        // A handshake that fails once fails again: not retried.
        assertThat(f.sleeper.sleeps()).isEmpty();
    }

    @Test
    void aLoginWhoseConnectionDropsAfterSendingIsNotSaidToHaveAppliedAnything() {
        f.sf.answerNext(Kind.LOGIN, 4, aResponse().withFault(Fault.EMPTY_RESPONSE));

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.getMessage()).contains("Salesforce login").contains("after the request was sent")
                .doesNotContain(MAY_HAVE_APPLIED);
    }

    @Test
    void aCreateWhoseConnectionDropsAfterSendingMayHaveBeenApplied() {
        signUps(2);
        f.sf.dropConnectionAfterNextWrite();

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.message()).contains("after the request was sent")
                .contains("Salesforce may have applied the request").contains("looks the records up");
        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(1);
    }

    // ----- answers that are not the API's JSON -----

    @Test
    void anHtmlPageAnsweredWith200IsDescribedByStatusContentTypeAndItsFirstBytesWithoutPersonalData() {
        f.sf.answerNext(Kind.QUERY, 1, aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html;charset=UTF-8")
                .withBody("<!DOCTYPE html>\n<html>\n  <body>\n    Down for maintenance. Questions:"
                        + " ops.team@acme.example or +1 (415) 555-0199.\n  </body>\n</html>"));

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_RESPONSE);
        assertThat(e.getMessage()).contains("Salesforce query of Contacts").contains("HTTP 200").contains("text/html")
                .contains("<!DOCTYPE html> <html> <body> Down for maintenance.")
                .doesNotContain("ops.team@acme.example").doesNotContain("555-0199")
                .doesNotContain("JSON this connector cannot read");
    }

    @Test
    void truncatedJsonSaysWhereItBrokeWithoutJacksonsWording() {
        f.sf.answerNext(Kind.QUERY, 1, aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"totalSize\":1,\"done\":true,\"records\":[{\"attributes\":{\"type\":\"Contact\"},"
                        + "\"Email\":\"ana@example.org\",\"Id\":\"003"));

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_RESPONSE);
        assertThat(e.getMessage()).contains("HTTP 200").contains("application/json").contains("line 1, column ")
                .contains("ends before the JSON is complete")
                .doesNotContain("ana@example.org").doesNotContain("StreamReadFeature").doesNotContain("position:")
                .doesNotContain("Source:").doesNotContain("JsonEOFException");
    }

    @Test
    void anHtmlErrorPageFromAGatewayIsDescribedByStatusAndContentType() {
        // A GET is retried, so every attempt gets the gateway's page.
        f.sf.answerNext(Kind.QUERY, 4, aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                .withBody("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center>"
                        + "<h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>"));

        CrmSyncException e = readFails();

        assertThat(e.code()).isEqualTo(ErrorCode.REMOTE_UNAVAILABLE);
        assertThat(e.getMessage()).contains("HTTP 502").contains("text/html")
                .contains("<html> <head><title>502 Bad Gateway</title></head>");
    }

    // ----- error URLs and advice -----

    @Test
    void anExportLinkAnswered404KeepsThePortAndPointsAtExportUrl() {
        f.set(SalesforceConfig.EXPORT_URL, f.sf.baseUrl() + "/00ONOPE?export=1&enc=UTF-8&xf=csv");

        CrmSyncException e = readFails();

        assertThat(e.getMessage()).contains("HTTP 404").contains(f.sf.host() + "/00ONOPE").contains("export.url")
                .contains("report").doesNotContain("API version").doesNotContain("record id");
    }

    // ----- 429 -----

    @Test
    void a429ToACreateIsRetriedAfterRetryAfterBecauseSalesforceRefusedItBeforeProcessingIt() {
        signUps(2);
        f.sf.answerNext(Kind.CREATE, 1, aResponse().withStatus(429).withHeader("Retry-After", "2")
                .withHeader("Content-Type", "application/json").withBody("{}"));

        SyncReport report = f.outbound();

        assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.count(Outcome.CREATED)).isEqualTo(2);
        assertThat(f.sf.requests(Kind.CREATE)).isEqualTo(2);
        assertThat(f.sf.contactCount()).isEqualTo(2);
        assertThat(f.sleeper.sleeps()).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void aRetryAfterBeyondTheCapSaysWhatSalesforceAskedTheCapAndTheSettingThatRaisesIt() {
        signUps(2);
        f.sf.answerNext(Kind.CREATE, 1, aResponse().withStatus(429).withHeader("Retry-After", "3600")
                .withHeader("Content-Type", "application/json").withBody("{}"));

        RemoteWrite create = RemoteWrite.create("a", Map.of("LastName", "Doe", "Email", "a@example.org"),
                OptInStatus.OPTED_IN);

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class,
                () -> f.connector().open(new DirectContext(f)).write(List.of(create)));

        assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(e.httpStatus()).hasValue(429);
        assertThat(e.getMessage()).contains("3600 s").contains("Retry-After").contains("60 s")
                .contains("http.max.retry.after").doesNotContain("HTTP 429: {}");
        assertThat(f.sleeper.sleeps()).isEmpty();
    }

    private CrmSyncException readFails() {
        return catchThrowableOfType(CrmSyncException.class,
                () -> f.changes(new DirectContext(f), SyncCursor.start()).hasNext());
    }

    private List<Profile> signUps(int n) {
        List<Profile> created = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            created.add(f.signUp("First" + i, "Last" + i, String.format("subscriber%04d@example.org", i),
                    "+1415555" + (2000 + i), OptInStatus.OPTED_IN));
        }
        return created;
    }
}
