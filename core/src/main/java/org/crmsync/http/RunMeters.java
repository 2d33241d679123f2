package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.function.Supplier;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/**
 * Which run an HTTP call belongs to, for a connector whose one HTTP client serves the sessions of
 * several runs at once: a session runs each of its calls {@link #charging} its run's meter, and the
 * client's metering asks {@link #current()} (pass {@code runMeters::current} to
 * {@link HttpClients.Builder#meter}). OkHttp's {@code execute()} runs interceptors on the calling
 * thread, so the meter of the thread's current call is the one charged. A request sent outside any
 * session's call is a bug, and fails instead of being charged to no one. Thread-safe.
 */
public final class RunMeters {
    private final ThreadLocal<ApiCallMeter> current = new ThreadLocal<>();

    /** Runs {@code work} with its HTTP requests charged to {@code meter}; calls may nest. */
    public <T> T charging(ApiCallMeter meter, Supplier<T> work) {
        requireNonNull(meter, "meter");
        requireNonNull(work, "work");
        ApiCallMeter outer = current.get();
        current.set(meter);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                current.remove();
            } else {
                current.set(outer);
            }
        }
    }

    /** As {@link #charging(ApiCallMeter, Supplier)}, for work without a result. */
    public void charging(ApiCallMeter meter, Runnable work) {
        requireNonNull(work, "work");
        charging(meter, () -> {
            work.run();
            return null;
        });
    }

    /**
     * The meter of the call running on this thread.
     *
     * @throws IllegalStateException when no session's call is running on this thread
     */
    public ApiCallMeter current() {
        ApiCallMeter meter = current.get();
        if (meter == null) {
            throw new IllegalStateException("an HTTP request was sent outside a sync run's session, so no run's"
                    + " quota would count it");
        }
        return meter;
    }

    /** A stream whose page reads (in {@code hasNext}, {@code next}, {@code close}) are charged to {@code meter}. */
    public ChangeStream charging(ApiCallMeter meter, ChangeStream stream) {
        requireNonNull(meter, "meter");
        requireNonNull(stream, "stream");
        return new ChangeStream() {
            @Override
            public boolean hasNext() {
                return charging(meter, stream::hasNext);
            }

            @Override
            public RemoteRecord next() {
                return charging(meter, stream::next);
            }

            @Override
            public Optional<SyncCursor> endCursor() {
                return charging(meter, stream::endCursor);
            }

            @Override
            public void close() {
                charging(meter, (Runnable) stream::close);
            }
        };
    }
}
