package org.crmsync;

/**
 * What kind of failure a {@link CrmSyncException} reports. Each code says whether retrying the same
 * call later can help, which is what the engine and the retry policy act on.
 */
public enum ErrorCode {
    /** A configuration value is missing, malformed or unknown. Fix the configuration. */
    INVALID_CONFIGURATION(false),
    /** The CRM rejected the credentials. Fix the login, password, token or key. */
    AUTHENTICATION_FAILED(false),
    /** The credentials are valid but lack a permission the sync needs. */
    PERMISSION_DENIED(false),
    /** A field mapping is not usable (a mapped field is missing in the CRM, a rule is unsafe). */
    INVALID_MAPPING(false),
    /** An input file or record is malformed: bad CSV, a value that cannot be converted. */
    INVALID_INPUT(false),
    /** The CRM refused one record's data (validation error). */
    RECORD_REJECTED(false),
    /** The configured daily API quota, or the CRM's own limit, is used up; resume on a later run. */
    QUOTA_EXHAUSTED(false),
    /** The CRM asked us to slow down (HTTP 429 and similar). */
    RATE_LIMITED(true),
    /** The CRM answered with a server error (HTTP 5xx). */
    REMOTE_UNAVAILABLE(true),
    /** The connection failed, timed out or was reset. */
    CONNECTION_FAILED(true),
    /** The CRM answered with something this library does not understand. */
    UNEXPECTED_RESPONSE(false),
    /** Reading or writing local state (profile store, state store, report files) failed. */
    STORAGE_FAILED(false),
    /** Several runs of one job tried to run at once. */
    CONCURRENT_RUN(false),
    /** A bug or an unforeseen condition. */
    INTERNAL(false);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether retrying the same operation later may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
