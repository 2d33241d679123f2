package org.crmsync.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * The right of one run to run a job, held in the {@link SyncStateStore} until {@link #expiresAt()}
 * and renewed while the run goes on. Only the holder of the token may renew or release it.
 *
 * @param jobId the job
 * @param owner who holds it (a server and process, for people reading the store)
 * @param token tells this holding apart from every other, of this owner too
 * @param expiresAt when another run may take the job over if the lease is not renewed
 * @param tookOverFrom the owner of an expired lease this one replaced: that run's server stopped
 *     renewing, and this run carries on from the job's last checkpoint
 */
public record RunLease(String jobId, String owner, String token, Instant expiresAt, Optional<String> tookOverFrom) {
    public RunLease {
        requireNonNull(jobId, "jobId");
        requireNonNull(owner, "owner");
        requireNonNull(token, "token");
        requireNonNull(expiresAt, "expiresAt");
        requireNonNull(tookOverFrom, "tookOverFrom");
    }

    /** The same lease, valid until {@code until}. */
    public RunLease renewedUntil(Instant until) {
        return new RunLease(jobId, owner, token, until, tookOverFrom);
    }
}
