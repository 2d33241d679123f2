package org.crmsync.http;

/**
 * Request tag saying a POST or PATCH may be sent again safely (the CRM deduplicates it, or it only
 * reads). Added by {@link HttpClients#idempotent(okhttp3.Request.Builder)}.
 */
final class Idempotent {
    static final Idempotent INSTANCE = new Idempotent();

    private Idempotent() {
    }

    @Override
    public String toString() {
        return "Idempotent";
    }
}
