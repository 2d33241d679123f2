package org.crmsync.spi;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Changed CRM records in cursor order, read lazily (one API page or one file row at a time; never
 * the whole data set in memory). Close it to release the connection or file.
 *
 * <p>{@link #hasNext()} and {@link #next()} may throw a {@code CrmSyncException}, for example when the
 * daily quota is used up while the next page is fetched; records already returned stay valid. One
 * thread at a time uses a stream; the engine closes it, before the session.
 */
public interface ChangeStream extends Iterator<RemoteRecord>, AutoCloseable {
    /**
     * The cursor for the next run once {@link #hasNext()} has answered false: where a pass that read
     * everything ends, even when it read nothing (a feed whose start must move on although nothing
     * changed, a new export job's start time). Empty (the default) keeps the last record's cursor.
     */
    default Optional<SyncCursor> endCursor() {
        return Optional.empty();
    }

    /** Closes the underlying connection or file; never throws a checked exception. */
    @Override
    void close();

    /** A stream over records already in memory (tests, small connectors). */
    static ChangeStream of(Iterable<RemoteRecord> records) {
        Iterator<RemoteRecord> it = records.iterator();
        return new ChangeStream() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public RemoteRecord next() {
                if (!it.hasNext()) {
                    throw new NoSuchElementException();
                }
                return it.next();
            }

            @Override
            public void close() {
            }
        };
    }
}
