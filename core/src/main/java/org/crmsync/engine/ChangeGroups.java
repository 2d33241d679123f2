package org.crmsync.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/**
 * The records of a change stream in groups of up to {@code size}, in the stream's order, each with
 * what was started for its records as they were read (their preparation) and how the read ended.
 *
 * <p>{@link #inline} reads a group when asked. {@link #ahead} reads the next group on a thread of its
 * own while the run applies the last one, so reading the CRM (or parsing its file) and writing the
 * profile store overlap; at most two groups wait read and not applied. Either way only the stream
 * moves to that thread (the SPI lets "one thread at a time, not always the same one" use it):
 * the store, the report and the listener stay on the run's thread. Closing stops the reading thread
 * and waits for it, so the stream can be closed after; a group read but not applied is dropped, and
 * the next run reads it again from the cursor.
 */
final class ChangeGroups<T> implements AutoCloseable {
    /** How a group's read ended. */
    sealed interface End permits More, Ended, QuotaReached, Failed {
    }

    /** The stream has more after this group. */
    record More() implements End {
    }

    /** The stream ended after this group, at its end cursor where it gives one. */
    record Ended(Optional<SyncCursor> endCursor) implements End {
    }

    /** The quota ran out while reading: the group holds what was read before, and the run stops after it. */
    record QuotaReached(String message) implements End {
    }

    /** Reading failed: the group's records are not applied, and the run fails with the cause. */
    record Failed(Throwable cause) implements End {
        /** The cause thrown again on the run's thread, as it was thrown on the reading one. */
        RuntimeException rethrow() {
            if (cause instanceof RuntimeException e) {
                throw e;
            }
            if (cause instanceof Error e) {
                throw e;
            }
            throw new CrmSyncException(ErrorCode.INTERNAL, "reading the changes failed: " + cause, cause);
        }
    }

    /** Records read in order, what {@code onRead} started for each (its nulls left out), and how it ended. */
    record Group<T>(List<RemoteRecord> records, List<T> started, End end) {
    }

    private static final long WAIT_MS = 50;

    private final ChangeStream stream;
    private final int size;
    private final Function<RemoteRecord, T> onRead;
    private final BlockingQueue<Group<T>> ready = new ArrayBlockingQueue<>(1);
    private final Thread reader;
    private volatile boolean stopped;
    private volatile boolean readerDone;

    private ChangeGroups(ChangeStream stream, int size, Function<RemoteRecord, T> onRead, String threadName) {
        this.stream = stream;
        this.size = size;
        this.onRead = onRead;
        if (threadName == null) {
            this.reader = null;
        } else {
            this.reader = new Thread(this::readAhead, threadName);
            reader.setDaemon(true);
            reader.start();
        }
    }

    /** Groups read on the caller's thread, when asked for. */
    static <T> ChangeGroups<T> inline(ChangeStream stream, int size, Function<RemoteRecord, T> onRead) {
        return new ChangeGroups<>(stream, size, onRead, null);
    }

    /** Groups read one ahead on a thread named {@code crmsync-read-<jobId>}. */
    static <T> ChangeGroups<T> ahead(ChangeStream stream, int size, Function<RemoteRecord, T> onRead, String jobId) {
        return new ChangeGroups<>(stream, size, onRead, "crmsync-read-" + jobId);
    }

    /** The next group; after a group that does not end in {@link More}, there is none. */
    Group<T> next() {
        if (reader == null) {
            return read();
        }
        try {
            while (true) {
                Group<T> group = ready.poll(WAIT_MS, TimeUnit.MILLISECONDS);
                if (group != null) {
                    return group;
                }
                if (readerDone && ready.isEmpty()) {
                    throw new IllegalStateException("the reading thread ended without its last group");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrmSyncException(ErrorCode.INTERNAL, "interrupted while waiting for records read", e);
        }
    }

    private Group<T> read() {
        List<RemoteRecord> records = new ArrayList<>(size);
        List<T> started = new ArrayList<>(size);
        try {
            while (records.size() < size) {
                if (!stream.hasNext()) {
                    return new Group<>(records, started, new Ended(stream.endCursor()));
                }
                RemoteRecord record = stream.next();
                records.add(record);
                T s = onRead.apply(record);
                if (s != null) {
                    started.add(s);
                }
            }
            return new Group<>(records, started, new More());
        } catch (CrmSyncException e) {
            return new Group<>(records, started,
                    e.code() == ErrorCode.QUOTA_EXHAUSTED ? new QuotaReached(e.getMessage()) : new Failed(e));
        } catch (RuntimeException e) {
            return new Group<>(records, started, new Failed(e));
        }
    }

    private void readAhead() {
        try {
            while (!stopped) {
                Group<T> group;
                try {
                    group = read();
                } catch (Error e) {
                    group = new Group<>(List.of(), List.of(), new Failed(e));
                }
                while (!stopped && !ready.offer(group, WAIT_MS, TimeUnit.MILLISECONDS)) {
                    // the run is still applying the group before; wait for room
                }
                if (!(group.end() instanceof More)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping
        } finally {
            readerDone = true;
        }
    }

    /** Stops reading ahead and waits for the reading thread to leave the stream. */
    @Override
    public void close() {
        if (reader == null) {
            return;
        }
        stopped = true;
        boolean interrupted = false;
        while (reader.isAlive()) {
            try {
                reader.join();
            } catch (InterruptedException e) {
                interrupted = true; // the stream is closed after this returns, so wait for the reader anyway
            }
        }
        ready.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
