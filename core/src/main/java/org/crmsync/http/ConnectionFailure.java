package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;

/**
 * The one classifier of the {@code IOException}s a call can end with, and the message a connector
 * reports for each. What matters most is whether the request may have reached the CRM: a name that
 * does not resolve, a refused connection, a connect timeout or a failed TLS handshake all happen
 * before a byte of the request is sent, so nothing can have been applied; a read timeout, a reset or
 * an answer cut off come after it was sent, and only then may a write that is not safe to repeat (a
 * plain create) have been applied. When the type does not tell, the failure counts as after sending:
 * saying "may have applied" about a request that was not is the safe mistake.
 *
 * <pre>{@code
 * } catch (IOException e) {
 *     throw ConnectionFailure.of(e, call.request()).what("Salesforce create of 200 Contacts").crm("Salesforce")
 *             .hostSetting("api.host").nonIdempotentWrite("the next run looks the records up before creating any")
 *             .settings(settings).secrets(secrets).toException();
 * }
 * }</pre>
 */
public final class ConnectionFailure {
    /** What kind of failure an {@code IOException} is. */
    public enum Kind {
        /** The host name did not resolve (DNS). Nothing was sent. */
        UNKNOWN_HOST(false),
        /** The connection was refused, or there is no route to the host. Nothing was sent. */
        REFUSED(false),
        /** No connection within the connect timeout. Nothing was sent. */
        CONNECT_TIMEOUT(false),
        /**
         * The TLS handshake failed: the host answered in plain HTTP, or its certificate was not accepted.
         * Nothing was sent (the request goes after the handshake).
         */
        TLS_HANDSHAKE(false),
        /** No answer within the read timeout, after the request was sent. */
        READ_TIMEOUT(true),
        /** The connection was reset or closed after the request was sent (or when that is not known). */
        DROPPED(true),
        /** The thread was interrupted during the call or while waiting to retry it. */
        INTERRUPTED(true),
        /**
         * The call was retried until one more attempt would pass its deadline. Calls that are not safe to
         * repeat are only retried after a 429, which applied nothing.
         */
        DEADLINE_PASSED(false),
        /** The CRM answered with success, but with a body that is not the JSON asked for. */
        UNEXPECTED_BODY(true);

        private final boolean requestMayHaveArrived;

        Kind(boolean requestMayHaveArrived) {
            this.requestMayHaveArrived = requestMayHaveArrived;
        }

        /** Whether the failure came after the request was sent, so the CRM may have applied it. */
        public boolean requestMayHaveArrived() {
            return requestMayHaveArrived;
        }
    }

    private final IOException failure;
    private final Request request;
    private String what;
    private String crm = "the CRM";
    private String hostSetting;
    private String ifApplied;
    private HttpSettings settings = HttpSettings.defaults();
    private final List<String> secrets = new ArrayList<>();

    private ConnectionFailure(IOException failure, Request request) {
        this.failure = failure;
        this.request = request;
    }

    /** What kind of failure {@code e} is; see {@link Kind}. */
    public static Kind classify(IOException e) {
        requireNonNull(e, "e");
        if (e instanceof DeadlineExceededException) {
            return Kind.DEADLINE_PASSED;
        }
        if (e instanceof UnexpectedBodyException) {
            return Kind.UNEXPECTED_BODY;
        }
        if (e instanceof UnknownHostException) {
            return Kind.UNKNOWN_HOST;
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException
                || e instanceof PortUnreachableException) {
            return Kind.REFUSED;
        }
        if (e instanceof SocketTimeoutException) {
            // The JDK's Socket.connect says "Connect timed out"; OkHttp's read and write timeouts say
            // "timeout" or "Read timed out".
            String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
            return message.contains("connect") ? Kind.CONNECT_TIMEOUT : Kind.READ_TIMEOUT;
        }
        if (e instanceof InterruptedIOException) {
            return Kind.INTERRUPTED;
        }
        if (isHandshakeFailure(e)) {
            return Kind.TLS_HANDSHAKE;
        }
        return Kind.DROPPED;
    }

    /** A failure to describe; {@code request} is the one the call sent (its method and URL are named). */
    public static ConnectionFailure of(IOException failure, Request request) {
        return new ConnectionFailure(requireNonNull(failure, "failure"), requireNonNull(request, "request"));
    }

    /** What was being done, starting the message: {@code "Salesforce query of Contacts"}. Required. */
    public ConnectionFailure what(String what) {
        this.what = requireNonNull(what, "what");
        return this;
    }

    /** The CRM's name, for "Salesforce may have applied the request"; default "the CRM". */
    public ConnectionFailure crm(String crm) {
        this.crm = requireNonNull(crm, "crm");
        return this;
    }

    /** The configuration key that names the host, to check when it cannot be reached ({@code api.host}). */
    public ConnectionFailure hostSetting(String hostSetting) {
        this.hostSetting = requireNonNull(hostSetting, "hostSetting");
        return this;
    }

    /**
     * Marks the request as a write that is not safe to repeat (a create the CRM does not deduplicate):
     * when it may have reached the CRM, the message says the CRM may have applied it, then {@code
     * whatThen} ({@code "the next run looks the records up before creating any"}). Not for reads, token
     * requests, updates by id or upserts: those apply nothing, or the same thing twice.
     */
    public ConnectionFailure nonIdempotentWrite(String whatThen) {
        this.ifApplied = requireNonNull(whatThen, "whatThen");
        return this;
    }

    /** The settings the client was built with, so timeouts are named with their values; default the defaults. */
    public ConnectionFailure settings(HttpSettings settings) {
        this.settings = requireNonNull(settings, "settings");
        return this;
    }

    /** Secret values to mask in the message, besides those the request carries. */
    public ConnectionFailure secrets(Collection<String> secretValues) {
        requireNonNull(secretValues, "secretValues").forEach(v -> {
            if (v != null) {
                secrets.add(v);
            }
        });
        return this;
    }

    /**
     * The exception to throw: {@code CONNECTION_FAILED} (retryable), or {@code UNEXPECTED_RESPONSE} for
     * a body that is not the JSON asked for. The message says what failed, whether the request may have
     * been applied, and what to check; it names the host and path, never the query string.
     */
    public CrmSyncException toException() {
        if (what == null) {
            throw new IllegalStateException("what(...) is required");
        }
        Kind kind = classify(failure);
        String message = message(kind);
        message = Redaction.redactSecrets(message, allSecrets());
        if (failure instanceof UnexpectedBodyException unexpected) {
            return CrmSyncException.http(ErrorCode.UNEXPECTED_RESPONSE, message, unexpected.status(), null);
        }
        return new CrmSyncException(ErrorCode.CONNECTION_FAILED, message, failure);
    }

    private String message(Kind kind) {
        HttpUrl url = request.url();
        String host = Redaction.hostAndPort(url);
        String check = hostSetting == null ? "the CRM's host in the configuration" : hostSetting;
        String notSent = ", so nothing was sent.";
        switch (kind) {
            case UNKNOWN_HOST:
                return what + " failed: unknown host " + url.host() + " (no address found for it)" + notSent + " Check "
                        + check + " and this machine's DNS and network.";
            case REFUSED:
                return what + " failed: " + (failure instanceof NoRouteToHostException ? "no route to " + host
                        : "the connection to " + host + " was refused") + notSent + " Check " + check
                        + " (host and port) and that " + crm + " can be reached from this machine (proxy,"
                        + " firewall).";
            case CONNECT_TIMEOUT:
                return what + " failed: no connection to " + host + " within the connect timeout of "
                        + HttpSettings.format(settings.connectTimeout()) + " (" + HttpSettings.CONNECT_TIMEOUT + ")"
                        + notSent + " Check " + check + " and the network; on a slow network raise "
                        + HttpSettings.CONNECT_TIMEOUT + ".";
            case TLS_HANDSHAKE:
                return what + " failed: the secure (TLS) connection to " + host + " could not be set up ("
                        + handshakeDetail() + ")" + notSent + " The host answered in plain HTTP, or with a certificate"
                        + " that is not valid for it (expired, self-signed, issued for another name, or by a proxy's"
                        + " own authority). Check that " + check + " names " + crm + "'s HTTPS host and port,"
                        + " not a plain-HTTP port or a proxy, and the certificate that host presents; a"
                        + " TLS-inspecting proxy's authority must be in the JVM's trust store.";
            case READ_TIMEOUT:
                return what + " failed after the request was sent to " + where() + ": no answer within the read timeout"
                        + " of " + HttpSettings.format(settings.readTimeout()) + " (" + HttpSettings.READ_TIMEOUT + ")."
                        + afterSent();
            case INTERRUPTED:
                return what + " to " + where() + " was interrupted (the thread running the sync was interrupted)."
                        + afterSent();
            case DEADLINE_PASSED:
                return deadlineMessage((DeadlineExceededException) failure);
            case UNEXPECTED_BODY:
                return what + ": " + where() + " " + failure.getMessage() + "."
                        + (ifApplied == null ? ""
                                : " " + capitalized(crm) + " may have applied the request; " + ifApplied + ".")
                        + (((UnexpectedBodyException) failure).notJson()
                                ? " Check " + check + "; something other than " + crm + "'s API (a proxy, a login or"
                                        + " maintenance page) may be answering."
                                : " The answer may have been cut off on the way (a proxy, the network); if it happens"
                                        + " again, check " + check + " and what stands between this machine and " + crm
                                        + ".");
            default:
                return what + " failed after the request was sent to " + where() + ": " + droppedDetail() + "."
                        + afterSent();
        }
    }

    private String afterSent() {
        if (ifApplied != null) {
            return " " + capitalized(crm) + " may have applied the request before the connection failed; " + ifApplied
                    + ".";
        }
        return " Check the network and " + crm + "'s status; the call is safe to send again, and the next run"
                + " does.";
    }

    private String deadlineMessage(DeadlineExceededException e) {
        StringBuilder m = new StringBuilder(what).append(" to ").append(where()).append(" failed: gave up after ")
                .append(e.attempts()).append(e.attempts() == 1 ? " attempt" : " attempts").append(" in ")
                .append(HttpSettings.format(e.elapsed())).append(", as one more would pass the call deadline of ")
                .append(HttpSettings.format(e.deadline())).append(" (").append(HttpSettings.CALL_DEADLINE)
                .append("); the last attempt ");
        Optional<IOException> last = e.lastFailure();
        if (e.lastStatus().isPresent()) {
            m.append("was answered HTTP ").append(e.lastStatus().getAsInt());
            e.retryAfter().ifPresent(wait -> m.append(" with Retry-After ").append(wait.toSeconds()).append(" s"));
        } else if (last.isPresent()) {
            Kind lastKind = classify(last.get());
            m.append(lastKind == Kind.READ_TIMEOUT ? "had no answer within the read timeout of "
                    + HttpSettings.format(settings.readTimeout())
                    : lastKind.requestMayHaveArrived() ? "failed: " + describe(last.get())
                    : "could not connect: " + describe(last.get()));
        } else {
            m.append("failed");
        }
        m.append(". ").append(capitalized(crm)).append(" is not answering as it should; retry later, or raise ")
                .append(HttpSettings.CALL_DEADLINE).append(" (and ").append(HttpSettings.MAX_ATTEMPTS)
                .append(") to keep trying longer.");
        return m.toString();
    }

    private String where() {
        HttpUrl url = request.url();
        return request.method() + " " + url.scheme() + "://" + Redaction.hostAndPort(url) + url.encodedPath();
    }

    private static String capitalized(String name) {
        return name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private String droppedDetail() {
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("reset")) {
            return "the connection was reset";
        }
        if (lower.contains("unexpected end of stream") || failure instanceof EOFException) {
            return "the connection closed before the answer was complete (unexpected end of stream)";
        }
        return describe(failure);
    }

    private String handshakeDetail() {
        String message = failure.getMessage() == null ? "" : failure.getMessage().toLowerCase(Locale.ROOT);
        if (message.contains("unrecognized ssl message") || message.contains("plaintext")) {
            return "the answer was not TLS: plain HTTP on that port?";
        }
        if (failure instanceof SSLPeerUnverifiedException || hasCause(failure, CertificateException.class)) {
            return "its certificate was not accepted";
        }
        return describe(failure);
    }

    /** The exception's class and message, secrets masked, at most 200 characters. */
    private String describe(IOException e) {
        String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return Redaction.sanitize(text, allSecrets(), 200);
    }

    private List<String> allSecrets() {
        List<String> all = new ArrayList<>(secrets);
        all.addAll(Redaction.secretValuesOf(request, SecretNames.DEFAULT));
        return all;
    }

    private static boolean isHandshakeFailure(IOException e) {
        if (e instanceof SSLHandshakeException || e instanceof SSLPeerUnverifiedException) {
            return true;
        }
        if (!(e instanceof SSLException)) {
            return false;
        }
        // A plain-HTTP answer to a TLS ClientHello: "Unsupported or unrecognized SSL message"; a
        // certificate the trust manager refused comes wrapped. Other SSLExceptions (a record broken
        // mid-answer) may come after the request was sent.
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return message.contains("unrecognized ssl message") || message.contains("plaintext")
                || hasCause(e, CertificateException.class);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
