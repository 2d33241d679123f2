package org.crmsync.engine;

import java.time.LocalDate;
import java.util.OptionalLong;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.store.SyncStateStore;

/**
 * Counts one run's API calls against the policy's daily quota for the job's connection (calls
 * already used today by other runs included) and against the CRM's own limit when the connector
 * reports it. Counts reach the state store at each checkpoint and at the end of the run.
 */
final class QuotaMeter implements ApiCallMeter {
    private final SyncStateStore state;
    private final String quotaKey;
    private final LocalDate day;
    private final long quota;
    private final long usedBefore;
    private long used;
    private long flushed;
    private long remoteUsed = -1;
    private long remoteMax = -1;

    QuotaMeter(SyncStateStore state, String quotaKey, LocalDate day, OptionalLong quota) {
        this.state = state;
        this.quotaKey = quotaKey;
        this.day = day;
        this.quota = quota.orElse(-1);
        this.usedBefore = state.apiCallsUsed(quotaKey, day);
    }

    @Override
    public synchronized void acquire(String what) {
        if (quota >= 0 && usedBefore + used >= quota) {
            throw new CrmSyncException(ErrorCode.QUOTA_EXHAUSTED, "the daily API quota of " + quota + " calls for "
                    + quotaKey + " is used up for " + day + " (UTC); " + what + " was not sent, and the rest waits"
                    + " for the next run");
        }
        if (remoteMax >= 0 && remoteUsed >= remoteMax) {
            throw new CrmSyncException(ErrorCode.QUOTA_EXHAUSTED, "the CRM reports its own API limit is used up ("
                    + remoteUsed + " of " + remoteMax + "); " + what + " was not sent, and the rest waits for the"
                    + " next run");
        }
        used++;
        if (remoteMax >= 0) {
            remoteUsed++;
        }
    }

    @Override
    public synchronized long used() {
        return used;
    }

    @Override
    public synchronized OptionalLong remaining() {
        long ours = quota < 0 ? Long.MAX_VALUE : Math.max(0, quota - usedBefore - used);
        long theirs = remoteMax < 0 ? Long.MAX_VALUE : Math.max(0, remoteMax - remoteUsed);
        long left = Math.min(ours, theirs);
        return left == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(left);
    }

    @Override
    public synchronized void observeRemoteLimit(long remoteUsedNow, long max) {
        this.remoteUsed = remoteUsedNow;
        this.remoteMax = max;
    }

    /** Writes the calls counted since the last flush to the state store. */
    synchronized void flush() {
        if (used > flushed) {
            state.addApiCalls(quotaKey, day, used - flushed);
            flushed = used;
        }
    }
}
