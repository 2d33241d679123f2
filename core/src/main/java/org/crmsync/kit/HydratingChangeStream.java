package org.crmsync.kit;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/**
 * Changes a CRM announces only by id (a nightly file of changed constituent ids, a list of changed
 * people) read whole through its API, a batch of ids at a time: the connector's read by id
 * ({@code ConnectorSession.read}), one call per batch, made only when the engine has taken every record
 * before it. An id the read does not return (deleted since) is passed over; a record that could not
 * be read comes back {@link RemoteRecord#unreadable} and is kept by the engine to be read again. Each
 * record carries the cursor of its id in the feed, so the cursor moves past what was applied.
 */
public final class HydratingChangeStream implements ChangeStream {
    /** One changed id from the feed, and the cursor that follows it (the feed's position). */
    public record ChangedId(String id, SyncCursor cursorAfter, String location) {
        public ChangedId {
            requireNonNull(id, "id");
            requireNonNull(cursorAfter, "cursorAfter");
            requireNonNull(location, "location");
        }
    }

    private final Iterator<ChangedId> ids;
    private final int batchSize;
    private final Function<List<String>, Map<String, RemoteRecord>> read;
    private final Runnable closeFeed;
    private final Optional<SyncCursor> endCursor;
    private final Deque<RemoteRecord> ready = new ArrayDeque<>();

    /**
     * @param ids the feed of changed ids, in cursor order, read lazily
     * @param batchSize ids per read call
     * @param read the connector's read by id, keyed by id
     * @param closeFeed releases the feed (its file or connection)
     * @param endCursor where a pass that read the whole feed ends, when the feed has its own end
     */
    public HydratingChangeStream(Iterator<ChangedId> ids, int batchSize,
            Function<List<String>, Map<String, RemoteRecord>> read, Runnable closeFeed, Optional<SyncCursor> endCursor) {
        this.ids = requireNonNull(ids, "ids");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be 1 or more, was " + batchSize);
        }
        this.batchSize = batchSize;
        this.read = requireNonNull(read, "read");
        this.closeFeed = requireNonNull(closeFeed, "closeFeed");
        this.endCursor = requireNonNull(endCursor, "endCursor");
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && ids.hasNext()) {
            List<ChangedId> batch = new ArrayList<>(batchSize);
            while (batch.size() < batchSize && ids.hasNext()) {
                batch.add(ids.next());
            }
            Map<String, RemoteRecord> found = read.apply(batch.stream().map(ChangedId::id).distinct().toList());
            for (ChangedId changed : batch) {
                RemoteRecord r = found.get(changed.id());
                if (r != null) {
                    // The record as read, at the feed's position, so the cursor moves past it when applied.
                    ready.add(new RemoteRecord(r.remoteId(), r.fields(), r.source(), changed.cursorAfter(),
                            changed.location(), r.problem()));
                }
            }
        }
        return !ready.isEmpty();
    }

    @Override
    public RemoteRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more changed records");
        }
        return ready.removeFirst();
    }

    @Override
    public Optional<SyncCursor> endCursor() {
        return endCursor;
    }

    @Override
    public void close() {
        ready.clear();
        closeFeed.run();
    }
}
