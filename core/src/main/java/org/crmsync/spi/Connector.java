package org.crmsync.spi;

import java.time.Duration;
import java.util.Set;

/**
 * One CRM account, as the engine uses it: made by a {@link ConnectorProvider} from a validated
 * configuration, it holds what the account's runs share (the HTTP connection pool, the rate limiter,
 * the login) and opens one {@link ConnectorSession} per run.
 *
 * <h2>Threading</h2>
 * A connector is shared: the inbound and outbound jobs of one account, and runs of other jobs, may
 * {@link #open} sessions on it at the same time from different threads, so everything a connector
 * keeps outside its sessions is thread-safe, and everything that belongs to one run (its API call
 * meter, what it looked up, its caches) lives in the session. The methods of this interface may be
 * called from any thread at any time.
 *
 * <h2>Lifecycle</h2>
 * {@link #open} a session for each run and close it when the run ends; {@link #close()} the connector
 * when the application no longer syncs with the account (after its sessions are closed).
 */
public interface Connector extends AutoCloseable {
    /** The provider id this connector belongs to, e.g. {@code salesforce}. */
    String providerId();

    /**
     * The CRM account this connector serves, stable across restarts: for example the API host and the
     * API user. When a job names no connection id, the engine derives one from it (a digest, so no
     * login appears in ids), so that two accounts of one CRM never share a quota or an echo filter.
     * Never a secret.
     */
    String accountKey();

    /** What the engine may plan around; see {@link Capability}. */
    Set<Capability> capabilities();

    /** How many records the engine puts in one {@code write}, {@code lookup} or {@code read} call. */
    default int preferredBatchSize() {
        return 100;
    }

    /**
     * How many calls ({@code lookup}, {@code write}, {@code read}) of one session may be in flight at
     * once, from as many threads: the CRM's own concurrency limit, or what its rate limit makes
     * useful. One (the default) means the session is used by one thread at a time.
     */
    default int maxCallsInFlight() {
        return 1;
    }

    /**
     * How far before its cursor this connector reads again when the policy sets no inbound look-back:
     * how late, by its CRM's documentation, a change may become visible after the time it is stamped
     * with (a transaction committing after the cursor passed its timestamp). Zero unless the connector
     * declares one; a connector whose cursor already overlaps its reads may keep zero.
     */
    default Duration defaultInboundLookback() {
        return Duration.ZERO;
    }

    /**
     * Starts a run: the session counts its API calls with {@code context.calls()} and keeps the run's
     * state. Opening sends nothing; the first call does.
     */
    ConnectorSession open(SyncContext context);

    /** Releases connections; never throws a checked exception. */
    @Override
    default void close() {
    }
}
