package org.crmsync.spi;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Changed CRM records in cursor order, read lazily (one API page or one file row at a time; never
 * the whole data set in memory). Close it to release the connection or file.
 *
 * <p>{@link #hasNext()} and {@link #next()} may throw a {@code CrmSyncException}, for example when the
 * daily quota is used up while the next page is fetched; records already returned stay valid.
 */
public interface ChangeStream extends Iterator<RemoteRecord>, AutoCloseable {
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
