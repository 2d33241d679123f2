package org.crmsync.spi;

import java.util.OptionalLong;

/**
 * Counts a run's API calls against the daily quota. A connector (or the HTTP plumbing on its behalf)
 * calls {@link #acquire(String)} before every HTTP request it sends, logins and file downloads
 * included. When no call is left, {@code acquire} throws a {@code CrmSyncException} with code
 * {@code QUOTA_EXHAUSTED} and the request must not be sent; the engine then stops writing and leaves
 * the rest for the next run.
 *
 * <p>Implementations are thread-safe.
 */
public interface ApiCallMeter {
    /** A meter that counts and never refuses; for tests and tools. */
    static ApiCallMeter unlimited() {
        return new ApiCallMeter() {
            private final java.util.concurrent.atomic.AtomicLong used = new java.util.concurrent.atomic.AtomicLong();

            @Override
            public void acquire(String what) {
                used.incrementAndGet();
            }

            @Override
            public long used() {
                return used.get();
            }

            @Override
            public OptionalLong remaining() {
                return OptionalLong.empty();
            }
        };
    }

    /**
     * Takes one call from the quota for the request described by {@code what} (method and path, never
     * a secret).
     *
     * @throws org.crmsync.CrmSyncException with code {@code QUOTA_EXHAUSTED} when the quota is used up
     */
    void acquire(String what);

    /** Calls taken by this run so far. */
    long used();

    /** Calls left today, or empty when there is no limit. */
    OptionalLong remaining();

    /**
     * Tells the meter what the CRM itself says of its own limit (for example Salesforce's
     * {@code Sforce-Limit-Info: api-usage=used/max}), so the run stops before the CRM refuses.
     */
    default void observeRemoteLimit(long used, long max) {
    }
}
