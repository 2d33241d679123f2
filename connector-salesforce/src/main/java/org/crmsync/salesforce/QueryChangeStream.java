package org.crmsync.salesforce;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.salesforce.internal.QueryResult;
import org.crmsync.salesforce.internal.SalesforceClient;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/**
 * Changed contacts, one query page in memory at a time: the first page from the query, each next one
 * from {@code nextRecordsUrl}, used verbatim, until {@code done} (REST API "Execute a SOQL Query",
 * https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html). Each page is one
 * API call, fetched only when the engine has applied the records before it.
 */
final class QueryChangeStream implements ChangeStream {
    private final SalesforceClient client;
    private final String soql;
    private final int batchSize;
    private final List<String> selected;
    private final ContactRecords.Recheck recheck;
    private final Deque<ObjectNode> page = new ArrayDeque<>();
    private String nextRecordsUrl;
    private boolean started;
    private boolean done;
    private SyncCursor last;

    /**
     * @param recheck the {@link ContactRecords#CURSOR_RECHECK} marks of the records read (see {@link
     *     ContactRecords.Recheck})
     */
    QueryChangeStream(SalesforceClient client, String soql, int batchSize, List<String> selected, SyncCursor since,
            ContactRecords.Recheck recheck) {
        this.client = client;
        this.soql = soql;
        this.batchSize = batchSize;
        this.selected = List.copyOf(selected);
        this.recheck = recheck;
        this.last = since;
    }

    @Override
    public boolean hasNext() {
        while (page.isEmpty() && !done) {
            fetch();
        }
        return !page.isEmpty();
    }

    private void fetch() {
        QueryResult result = started ? client.queryMore(nextRecordsUrl, batchSize) : client.query(soql, batchSize);
        started = true;
        page.addAll(result.records());
        nextRecordsUrl = result.nextRecordsUrl();
        done = result.done();
        if (!done && (nextRecordsUrl == null || nextRecordsUrl.isBlank())) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Salesforce answered a query page with done"
                    + " false but no nextRecordsUrl; the rest of the changes cannot be read");
        }
    }

    @Override
    public RemoteRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more changed Contacts");
        }
        ObjectNode contact = page.removeFirst();
        // The query's last record closes the pass: its page says done, and nothing is left of it.
        RemoteRecord record = ContactRecords.changed(contact, selected, last, page.isEmpty() && done, recheck);
        last = record.cursorAfter();
        return record;
    }

    @Override
    public void close() {
        // Nothing held open between pages; an unread query locator expires on Salesforce's side.
        page.clear();
        done = true;
    }
}
