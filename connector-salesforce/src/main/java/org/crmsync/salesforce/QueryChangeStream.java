package org.crmsync.salesforce;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Function;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.salesforce.internal.QueryResult;
import org.crmsync.salesforce.internal.SalesforceClient;
import org.crmsync.kit.PagedChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changed contacts, one query page in memory at a time (the kit's {@link PagedChangeStream}): the first
 * page from the query, each next one from {@code nextRecordsUrl}, used verbatim, until {@code done} (REST API "Execute a SOQL Query",
 * https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html). Each page is one
 * API call, fetched only when the engine has applied the records before it.
 *
 * <p>A long read can outlive its query locator (it "expires automatically after 15 minutes of
 * inactivity", and a user's eleventh open cursor releases the oldest: QueryLocator, SOAP API Developer
 * Guide); Salesforce then answers the next page with {@code INVALID_QUERY_LOCATOR}. The query is then
 * asked again from the cursor of the last record this stream returned, (SystemModstamp, Id), which is
 * where the rest of the results begins in the query's order: nothing is lost and nothing read twice.
 * A restart that returns no record before its own locator fails too ends the read with that failure,
 * so it never loops.
 */
final class QueryChangeStream extends PagedChangeStream<ObjectNode> {
    private static final Logger LOG = LoggerFactory.getLogger(QueryChangeStream.class);
    private final SalesforceClient client;
    private final String soql;
    private final Function<SyncCursor, String> restartedQuery;
    private final int batchSize;
    private final List<String> selected;
    private final ContactRecords.Recheck recheck;
    private String nextRecordsUrl;
    private boolean started;
    private SyncCursor last;
    private int returnedSinceQuery;
    private int restarts;

    /**
     * @param recheck the {@link ContactRecords#CURSOR_RECHECK} marks of the records read (see {@link
     *     ContactRecords.Recheck})
     * @param restartedQuery the statement that reads on after a record's cursor (mid-pass), for a query
     *     whose locator Salesforce no longer knows
     */
    QueryChangeStream(SalesforceClient client, String soql, int batchSize, List<String> selected, SyncCursor since,
            ContactRecords.Recheck recheck, Function<SyncCursor, String> restartedQuery) {
        this.client = client;
        this.soql = soql;
        this.restartedQuery = restartedQuery;
        this.batchSize = batchSize;
        this.selected = List.copyOf(selected);
        this.recheck = recheck;
        this.last = since;
    }

    @Override
    protected Page<ObjectNode> fetch() {
        QueryResult result;
        if (!started) {
            result = client.query(soql, batchSize);
        } else {
            try {
                result = client.queryMore(nextRecordsUrl, batchSize);
            } catch (SalesforceClient.QueryLocatorInvalid e) {
                if (returnedSinceQuery == 0 && restarts == 0) {
                    throw e;
                }
                if (returnedSinceQuery == 0) {
                    // The query asked again returned nothing before its own locator went too: no loop.
                    throw new CrmSyncException(e.code(), e.getMessage() + " The query was asked again from the last"
                            + " record read, and its locator was refused too before any record came back; the read"
                            + " stops here, and the next run resumes after the last record applied.");
                }
                restarts++;
                LOG.info("Salesforce no longer knows the query locator of the changed Contacts (INVALID_QUERY_LOCATOR,"
                        + " after {} records of this query); asking the query again from the last record read"
                        + " (restart {})", returnedSinceQuery, restarts);
                result = client.query(restartedQuery.apply(last), batchSize);
                returnedSinceQuery = 0;
            }
        }
        started = true;
        nextRecordsUrl = result.nextRecordsUrl();
        if (!result.done() && (nextRecordsUrl == null || nextRecordsUrl.isBlank())) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Salesforce answered a query page with done"
                    + " false but no nextRecordsUrl; the rest of the changes cannot be read");
        }
        return new Page<>(result.records(), result.done() ? Ending.LAST : Ending.MORE);
    }

    /** The query's last record closes the pass: its page says done, and nothing is left of it. */
    @Override
    protected RemoteRecord toRecord(ObjectNode contact, boolean lastOfPass) {
        RemoteRecord record = ContactRecords.changed(contact, selected, last, lastOfPass, recheck);
        last = record.cursorAfter();
        returnedSinceQuery++;
        return record;
    }
}
