package org.crmsync.engine;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.OptionalLong;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.policy.QuotaWindow;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.store.SyncStateStore;

/**
 * Counts one run's API calls against the policy's quota for the job's connection, shared with every
 * other run of that connection on any server through the state store, and against the CRM's own limit
 * when the connector reports it.
 *
 * <p>Calls are reserved from the store's counter in blocks ({@link
 * org.crmsync.policy.SyncPolicy#apiQuotaBlock()}), each with one atomic step of the store that takes
 * only what fits under the quota; {@link #finish()}, when the run ends, gives back what the run
 * reserved and did not use. A block is spent only in the window bucket (UTC day,
 * or hour of a rolling window) it was reserved in; at a bucket's end its rest is given back and a new
 * block reserved. So the bound: <b>however many runs on however many servers share a quota, the calls
 * they send in a window never exceed the quota</b> (every call is sent from a reservation, and the
 * reservations of a window never add up to more than the quota). What blocks cost is under-use: a
 * run whose server dies keeps its unused block counted, up to one block per such run, until the
 * window moves on.
 */
final class QuotaMeter implements ApiCallMeter {
    private final SyncStateStore state;
    private final String quotaKey;
    private final QuotaWindow window;
    private final long quota;
    private final int block;
    private final Clock clock;
    private long used;
    private long reservedLeft;
    private Instant reservedAt;
    /** Calls of the window not taken by anyone when this run last looked, its own reservation aside. */
    private long freeInStore;
    private long remoteUsed = -1;
    private long remoteMax = -1;

    QuotaMeter(SyncStateStore state, String quotaKey, QuotaWindow window, OptionalLong quota, int block, Clock clock) {
        this.state = state;
        this.quotaKey = quotaKey;
        this.window = window;
        this.quota = quota.orElse(-1);
        this.block = block;
        this.clock = clock;
        this.freeInStore = this.quota < 0 ? Long.MAX_VALUE
                : Math.max(0, this.quota - state.apiCallsUsed(quotaKey, window, clock.instant()));
    }

    @Override
    public synchronized void acquire(String what) {
        if (remoteMax >= 0 && remoteUsed >= remoteMax) {
            throw new CrmSyncException(ErrorCode.QUOTA_EXHAUSTED, "the CRM reports its own API limit is used up ("
                    + remoteUsed + " of " + remoteMax + "); " + what + " was not sent, and the rest waits for the"
                    + " next run");
        }
        Instant now = clock.instant();
        if (reservedLeft > 0 && !sameBucket(reservedAt, now)) {
            giveBack();
        }
        if (reservedLeft == 0) {
            reserve(now, what);
        }
        reservedLeft--;
        used++;
        if (remoteMax >= 0) {
            remoteUsed++;
        }
    }

    private void reserve(Instant now, String what) {
        long limit = quota < 0 ? Long.MAX_VALUE : quota;
        long granted = state.reserveApiCalls(quotaKey, window, now, block, limit);
        if (quota >= 0) {
            freeInStore = Math.max(0, quota - state.apiCallsUsed(quotaKey, window, now));
        }
        if (granted == 0) {
            throw new CrmSyncException(ErrorCode.QUOTA_EXHAUSTED, "the API quota of " + quota + " calls for "
                    + quotaKey + " is used up for " + describeWindow(now) + "; " + what + " was not sent, and the"
                    + " rest waits for the next run");
        }
        reservedLeft = granted;
        reservedAt = now;
    }

    private String describeWindow(Instant now) {
        return window == QuotaWindow.UTC_DAY ? LocalDate.ofInstant(now, ZoneOffset.UTC) + " (UTC)"
                : "the 24 hours before " + now;
    }

    private boolean sameBucket(Instant a, Instant b) {
        return window == QuotaWindow.UTC_DAY
                ? LocalDate.ofInstant(a, ZoneOffset.UTC).equals(LocalDate.ofInstant(b, ZoneOffset.UTC))
                : a.truncatedTo(ChronoUnit.HOURS).equals(b.truncatedTo(ChronoUnit.HOURS));
    }

    private void giveBack() {
        if (reservedLeft > 0) {
            long left = reservedLeft;
            reservedLeft = 0;
            state.returnApiCalls(quotaKey, window, reservedAt, left);
            if (quota >= 0 && freeInStore != Long.MAX_VALUE) {
                freeInStore = Math.min(quota, freeInStore + left);
            }
        }
    }

    @Override
    public synchronized long used() {
        return used;
    }

    @Override
    public synchronized OptionalLong remaining() {
        long ours = quota < 0 ? Long.MAX_VALUE : freeInStore + reservedLeft;
        long theirs = remoteMax < 0 ? Long.MAX_VALUE : Math.max(0, remoteMax - remoteUsed);
        long left = Math.min(ours, theirs);
        return left == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(left);
    }

    @Override
    public synchronized void observeRemoteLimit(long remoteUsedNow, long max) {
        this.remoteUsed = remoteUsedNow;
        this.remoteMax = max;
    }

    /**
     * Called at the runs' checkpoints. Nothing to write: every call was reserved in the store before it
     * was sent, and the rest of the block is kept for the calls after the checkpoint (giving it back
     * and reserving again at each checkpoint would cost two writes for nothing).
     */
    void flush() {
    }

    /** When the run ends: gives back the calls reserved and not used, so the shared counter holds exactly the calls made. */
    synchronized void finish() {
        giveBack();
    }
}
