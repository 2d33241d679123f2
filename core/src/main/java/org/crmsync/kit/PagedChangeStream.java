package org.crmsync.kit;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import org.crmsync.CrmSyncException;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.RemoteRecord;

/**
 * A change stream over a CRM's paged API, one page in memory at a time: a page is fetched (one API
 * call) only when the engine has taken every record before it. The last record of a pass must know it
 * is the last (its cursor closes the pass); when a page does not say whether more follow
 * ({@link Ending#UNKNOWN}), the stream reads one page ahead before handing over the last record it holds. A failure of that read-ahead
 * (the quota, say) is raised on the following {@code hasNext()}, so the record already read is not
 * lost. A connector says how to fetch a page and how to turn an item into a record.
 *
 * @param <T> an item as the CRM's API answers it
 */
public abstract class PagedChangeStream<T> implements ChangeStream {
    /** Whether pages follow a page, as far as the CRM says. */
    public enum Ending {
        /** The last page of the pass. */
        LAST,
        /** More pages follow (a next-page link): the page's last item is not the pass's last. */
        MORE,
        /** The page does not say: the stream reads ahead to find out. */
        UNKNOWN
    }

    /** One page: its items (possibly none, when a filter dropped them all) and what follows it. */
    public record Page<T>(List<T> items, Ending ending) {
        public Page {
            items = List.copyOf(items);
            requireNonNull(ending, "ending");
        }

        /** A page that is the last when {@code last}, else followed by others the CRM does not announce. */
        public Page(List<T> items, boolean last) {
            this(items, last ? Ending.LAST : Ending.UNKNOWN);
        }
    }

    private final Deque<T> buffer = new ArrayDeque<>();
    private boolean ended;
    private Ending bufferEnding = Ending.UNKNOWN;
    private CrmSyncException pending;

    /** Reads the next page: one API call, following whatever paging state the subclass keeps. */
    protected abstract Page<T> fetch();

    /**
     * The record for an item.
     *
     * @param lastOfPass whether it is the last item of the whole pass (nothing after it)
     */
    protected abstract RemoteRecord toRecord(T item, boolean lastOfPass);

    @Override
    public final boolean hasNext() {
        if (buffer.isEmpty() && pending != null) {
            CrmSyncException e = pending;
            pending = null;
            throw e;
        }
        fill();
        return !buffer.isEmpty();
    }

    @Override
    public final RemoteRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more changed records");
        }
        T item = buffer.removeFirst();
        if (!buffer.isEmpty() || bufferEnding == Ending.MORE) {
            return toRecord(item, false);
        }
        if (bufferEnding == Ending.UNKNOWN && !ended) {
            try {
                fill(); // read ahead: is this item the last of the pass?
            } catch (CrmSyncException e) {
                pending = e;
            }
        }
        return toRecord(item, buffer.isEmpty() && ended && pending == null);
    }

    private void fill() {
        while (buffer.isEmpty() && !ended) {
            Page<T> page = requireNonNull(fetch(), "page");
            buffer.addAll(page.items());
            bufferEnding = page.ending();
            ended = page.ending() == Ending.LAST;
        }
    }

    /** Whether the pass has been read to its end (every page fetched). */
    protected final boolean ended() {
        return ended && buffer.isEmpty();
    }

    @Override
    public void close() {
        buffer.clear();
        ended = true;
        pending = null;
    }
}
