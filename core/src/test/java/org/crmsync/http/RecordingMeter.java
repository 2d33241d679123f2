package org.crmsync.http;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.spi.ApiCallMeter;

/** A meter that records what it was asked for and refuses once {@code limit} calls are taken. */
final class RecordingMeter implements ApiCallMeter {
    private final long limit;
    private final List<String> calls = new ArrayList<>();

    RecordingMeter(long limit) {
        this.limit = limit;
    }

    static RecordingMeter unlimited() {
        return new RecordingMeter(Long.MAX_VALUE);
    }

    @Override
    public synchronized void acquire(String what) {
        if (calls.size() >= limit) {
            throw new CrmSyncException(ErrorCode.QUOTA_EXHAUSTED, "Daily API quota of " + limit + " calls is used up");
        }
        calls.add(what);
    }

    @Override
    public synchronized long used() {
        return calls.size();
    }

    @Override
    public synchronized OptionalLong remaining() {
        return limit == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(limit - calls.size());
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }
}
