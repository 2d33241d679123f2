package org.crmsync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.http.ConnectionFailure.Kind;
import org.junit.jupiter.api.Test;

class ConnectionFailureTest {
    private static final Request CREATE = new Request.Builder()
            .url("https://acme.my.salesforce.com:8443/services/data/v67.0/composite/sobjects?x=ana@example.org")
            .header("Authorization", "Bearer 00Dsession!token")
            .post(RequestBody.create("{}", MediaType.get("application/json")))
            .build();
    private static final Request QUERY = new Request.Builder()
            .url("https://acme.my.salesforce.com/services/data/v67.0/query?q=SELECT+Id+FROM+Contact").build();

    private static CrmSyncException createFailed(IOException e) {
        return ConnectionFailure.of(e, CREATE).what("Salesforce create of 2 Contacts").crm("Salesforce")
                .hostSetting("api.host").nonIdempotentWrite("the next run looks the records up before creating any")
                .toException();
    }

    @Test
    void failuresBeforeTheRequestIsSentAreToldApartFromFailuresAfter() {
        assertThat(ConnectionFailure.classify(new UnknownHostException("acme.invalid"))).isEqualTo(Kind.UNKNOWN_HOST);
        assertThat(ConnectionFailure.classify(new ConnectException("Failed to connect to /127.0.0.1:9")))
                .isEqualTo(Kind.REFUSED);
        assertThat(ConnectionFailure.classify(new NoRouteToHostException("No route to host"))).isEqualTo(Kind.REFUSED);
        assertThat(ConnectionFailure.classify(new SocketTimeoutException("Connect timed out")))
                .isEqualTo(Kind.CONNECT_TIMEOUT);
        assertThat(ConnectionFailure.classify(new SSLHandshakeException("PKIX path building failed")))
                .isEqualTo(Kind.TLS_HANDSHAKE);
        assertThat(ConnectionFailure.classify(new SSLException("Unsupported or unrecognized SSL message")))
                .isEqualTo(Kind.TLS_HANDSHAKE);
        assertThat(ConnectionFailure.classify(new SSLPeerUnverifiedException("Hostname not verified")))
                .isEqualTo(Kind.TLS_HANDSHAKE);
        assertThat(ConnectionFailure.classify(new SSLException("bad", new CertificateException("expired"))))
                .isEqualTo(Kind.TLS_HANDSHAKE);

        assertThat(ConnectionFailure.classify(new SocketTimeoutException("timeout"))).isEqualTo(Kind.READ_TIMEOUT);
        assertThat(ConnectionFailure.classify(new SocketTimeoutException("Read timed out"))).isEqualTo(Kind.READ_TIMEOUT);
        assertThat(ConnectionFailure.classify(new SocketException("Connection reset"))).isEqualTo(Kind.DROPPED);
        assertThat(ConnectionFailure.classify(new IOException("unexpected end of stream on https://x/..."))).isEqualTo(
                Kind.DROPPED);
        assertThat(ConnectionFailure.classify(new EOFException())).isEqualTo(Kind.DROPPED);
        assertThat(ConnectionFailure.classify(new SSLException("Tag mismatch"))).isEqualTo(Kind.DROPPED);
        assertThat(ConnectionFailure.classify(new InterruptedIOException("interrupted"))).isEqualTo(Kind.INTERRUPTED);

        assertThat(List.of(Kind.UNKNOWN_HOST, Kind.REFUSED, Kind.CONNECT_TIMEOUT, Kind.TLS_HANDSHAKE))
                .noneMatch(Kind::requestMayHaveArrived);
        assertThat(List.of(Kind.READ_TIMEOUT, Kind.DROPPED, Kind.INTERRUPTED, Kind.UNEXPECTED_BODY))
                .allMatch(Kind::requestMayHaveArrived);
    }

    @Test
    void aWriteThatTimedOutAfterBeingSentMayHaveBeenApplied() {
        CrmSyncException e = createFailed(new SocketTimeoutException("timeout"));

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).startsWith("Salesforce create of 2 Contacts failed after the request was sent to"
                        + " POST https://acme.my.salesforce.com:8443/services/data/v67.0/composite/sobjects: no answer"
                        + " within the read timeout of 30 s (http.read.timeout).")
                .contains("Salesforce may have applied the request before the connection failed; the next run looks"
                        + " the records up before creating any.")
                .doesNotContain("ana@example.org").doesNotContain("x=");
    }

    @Test
    void aWriteWhoseConnectionWasRefusedAppliedNothing() {
        CrmSyncException e = createFailed(new ConnectException("Failed to connect to acme.my.salesforce.com/10.0.0.1:8443"));

        assertThat(e.getMessage()).isEqualTo("Salesforce create of 2 Contacts failed: the connection to"
                + " acme.my.salesforce.com:8443 was refused, so nothing was sent. Check api.host (host and port) and"
                + " that Salesforce can be reached from this machine (proxy, firewall).");
    }

    @Test
    void aFailedHandshakeSaysPlainHttpOrABadCertificateAndWhatToCheck() {
        CrmSyncException e = createFailed(new SSLException("Unsupported or unrecognized SSL message"));

        assertThat(e.getMessage()).contains("the secure (TLS) connection to acme.my.salesforce.com:8443 could not be"
                        + " set up (the answer was not TLS: plain HTTP on that port?), so nothing was sent.")
                .contains("plain HTTP, or with a certificate that is not valid for it")
                .contains("Check that api.host names Salesforce's HTTPS host and port").contains("trust store")
                .doesNotContain("may have applied");
    }

    @Test
    void aConnectTimeoutNamesItsSettingAndValue() {
        CrmSyncException e = ConnectionFailure.of(new SocketTimeoutException("Connect timed out"), QUERY)
                .what("Salesforce query of Contacts").hostSetting("api.host")
                .settings(HttpSettings.builder().connectTimeout(Duration.ofSeconds(4)).build()).toException();

        assertThat(e.getMessage()).contains("no connection to acme.my.salesforce.com within the connect timeout of"
                + " 4 s (http.connect.timeout), so nothing was sent").contains("raise http.connect.timeout");
    }

    @Test
    void aReadThatFailedAfterSendingIsSafeToSendAgainAndSaysNothingAboutApplying() {
        CrmSyncException e = ConnectionFailure.of(new SocketException("Connection reset"), QUERY)
                .what("Salesforce query of Contacts").crm("Salesforce").toException();

        assertThat(e.getMessage()).isEqualTo("Salesforce query of Contacts failed after the request was sent to GET"
                + " https://acme.my.salesforce.com/services/data/v67.0/query: the connection was reset. Check the"
                + " network and Salesforce's status; the call is safe to send again, and the next run does.");
    }

    @Test
    void aCallPastItsDeadlineNamesTheAttemptsTheDeadlineAndItsSetting() {
        DeadlineExceededException deadline = new DeadlineExceededException("GET x", 3, Duration.ofMinutes(2),
                Duration.ofSeconds(95), 503, Optional.empty(), null);

        CrmSyncException e = ConnectionFailure.of(deadline, QUERY).what("Salesforce query of Contacts")
                .crm("Salesforce").toException();

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.getMessage()).isEqualTo("Salesforce query of Contacts to GET"
                + " https://acme.my.salesforce.com/services/data/v67.0/query failed: gave up after 3 attempts in 95 s,"
                + " as one more would pass the call deadline of 2 min (http.call.deadline); the last attempt was"
                + " answered HTTP 503. Salesforce is not answering as it should; retry later, or raise"
                + " http.call.deadline (and http.max.attempts) to keep trying longer.");
    }

    @Test
    void secretsInAnExceptionMessageAreMasked() {
        CrmSyncException e = ConnectionFailure.of(new SocketException("broken pipe after Bearer 00Dsession!token"),
                CREATE).what("Salesforce create").secrets(List.of("pw-Secret-1")).toException();

        assertThat(e.getMessage()).doesNotContain("00Dsession!token");
    }

    @Test
    void aRealConnectionToAPortNobodyListensOnIsRefused() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        OkHttpClient client = HttpClients.builder().meter(RecordingMeter::unlimited).allowPlainHttp(true)
                .retryPolicy(RetryPolicy.none()).build();
        Request request = new Request.Builder().url("http://127.0.0.1:" + closed + "/api/3/contacts").build();

        IOException failure = catchThrowableOfType(IOException.class, () -> client.newCall(request).execute());

        assertThat(ConnectionFailure.classify(failure)).isEqualTo(Kind.REFUSED);
        assertThat(ConnectionFailure.of(failure, request).what("ActiveCampaign contacts").hostSetting("api.url")
                .toException().getMessage()).contains("127.0.0.1:" + closed + " was refused, so nothing was sent")
                .contains("Check api.url");
    }
}
