package org.crmsync;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The one unchecked root of every error crmsync raises. It carries an {@link ErrorCode}, whether a
 * retry may help, and, for errors that came from a CRM's HTTP API, the status and the request id the
 * CRM gave (quote it to the vendor's support). Messages say what failed, where, and what to do; they
 * never contain a secret.
 */
public class CrmSyncException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final boolean retryable;
    private final int httpStatus;
    private final String requestId;

    public CrmSyncException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public CrmSyncException(ErrorCode code, String message, Throwable cause) {
        this(code, code.retryable(), message, -1, null, cause);
    }

    protected CrmSyncException(
            ErrorCode code, boolean retryable, String message, int httpStatus, String requestId, Throwable cause) {
        super(requireNonNull(message, "message"), cause);
        this.code = requireNonNull(code, "code");
        this.retryable = retryable;
        this.httpStatus = httpStatus;
        this.requestId = requestId;
    }

    /** An error answered by a CRM's HTTP API. */
    public static CrmSyncException http(ErrorCode code, String message, int httpStatus, String requestId) {
        return new CrmSyncException(code, code.retryable(), message, httpStatus, requestId, null);
    }

    public ErrorCode code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The HTTP status the CRM answered with, when the error came from an HTTP call. */
    public OptionalInt httpStatus() {
        return httpStatus < 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /** The request id the CRM returned, when it returns one. */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }
}
