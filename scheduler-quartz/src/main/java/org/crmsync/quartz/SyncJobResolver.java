package org.crmsync.quartz;

import org.crmsync.engine.SyncJob;

/**
 * Builds, on the node that runs it, the {@link SyncJob} a Quartz job names by id: the tenant's
 * connector (with its credentials, which never go into Quartz's tables), profile store and state
 * store. Every node of a cluster registers its own resolver, and any node may be asked for any job.
 * Called on Quartz's worker threads, so it must be thread-safe.
 */
@FunctionalInterface
public interface SyncJobResolver {
    /**
     * The job with this id.
     *
     * @throws RuntimeException when this node cannot build it (the run is skipped, logged, and tried
     *     again at the task's next time)
     */
    SyncJob job(String jobId);
}
