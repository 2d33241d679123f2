package org.crmsync.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One run's use of a {@link Connector}: everything here belongs to the run of {@link SyncContext}
 * given to {@link Connector#open}, and every HTTP request it sends is first counted with that
 * context's {@link SyncContext#calls() meter}.
 *
 * <h2>Call order</h2>
 * The engine calls {@link #preflight} first (unless a passing preflight of the same job is recent;
 * a session must then work without it), then, inbound, {@link #readChanges} once and
 * {@link #read} for records kept for retry; outbound, {@link #lookup} and {@link #write} per batch.
 * Then {@link #close}.
 *
 * <h2>Threading</h2>
 * The engine may have up to {@link Connector#maxCallsInFlight()} calls of {@link #lookup},
 * {@link #write} and {@link #read} running at once on different threads (never the thread that
 * opened the session, when more than one); with the default of one it calls one method at a time.
 * A connector declaring more keeps what its calls share (a token, a cache, a rate limiter) safe for
 * them; the context's {@link ApiCallMeter} already is. Outbound, the engine sends a wave of up to that
 * many batches' look-ups, then their writes, and applies the results in batch order; it never has a
 * look-up and a write of records that may be the same person in flight together, so a session need
 * not order them. {@link #preflight}, {@link #readChanges} and {@link #close} are never called while
 * another call of the session runs. A {@link ChangeStream} is used by one thread at a time, not always
 * the same one, and closed by the engine before the session.
 *
 * <h2>Errors</h2>
 * A failure of a whole call (authentication, the CRM down after retries, the quota) is thrown as a
 * {@code CrmSyncException}; a failure of one record is returned in its {@link WriteResult} or
 * {@link RemoteRecord}, never thrown. When the quota runs out between the calls one {@code write}
 * makes, the records already sent keep their results and the others are {@link WriteResult#notSent}.
 */
public interface ConnectorSession extends AutoCloseable {
    /**
     * Checks, before any record moves, that the credentials work and that every field the mapping
     * names exists in the CRM and can be written. Returns every problem found; empty means ready.
     */
    List<PreflightProblem> preflight();

    /**
     * The records changed since {@code since}, in cursor order, lazily; or, when the CRM prepares
     * changes as a job or a file that is not ready yet, {@link ChangeFeed.NotReady} with the cursor
     * that finds that job again. A connector applies the inbound look-back itself (see
     * {@link Connector#defaultInboundLookback()}).
     */
    ChangeFeed readChanges(SyncCursor since);

    /**
     * The CRM records that may match each request's profile, keyed by {@link LookupRequest#key()},
     * with fields keyed by API name. A key with no candidates may be absent or map to an empty list.
     */
    Map<String, List<RemoteRecord>> lookup(List<LookupRequest> requests);

    /**
     * A reason this CRM would refuse {@code write} for lack of a field it requires (for example a last
     * name on a new contact), checked before anything is sent so the record is reported as not
     * exportable instead of failing in the CRM. Empty when it can be sent.
     */
    default Optional<String> missingRequiredField(RemoteWrite write) {
        return Optional.empty();
    }

    /** Writes a batch and returns exactly one result per record, in any order. */
    List<WriteResult> write(List<RemoteWrite> batch);

    /**
     * The current CRM records with these ids ({@link Capability#READ_BY_ID}), keyed by id, each as
     * {@link #readChanges} would return it (fields by API name). An id the CRM does not know is
     * absent; a record that could not be read now is a {@link RemoteRecord#unreadable} one (kept and
     * read again on the next run).
     */
    default Map<String, RemoteRecord> read(List<String> remoteIds) {
        throw new UnsupportedOperationException("this connector cannot read records by id");
    }

    /**
     * Posts a batch of activities ({@link Capability#WRITE_ACTIVITIES}) and returns exactly one result
     * per activity, in any order. An activity the quota stopped before its call is {@link
     * ActivityResult.Status#NOT_SENT}; an exception means the engine cannot know which activities
     * landed, so it treats the whole batch as in doubt. An {@link ActivityWrite#inDoubt() in-doubt}
     * activity is looked for by its key first where the CRM keeps it ({@link
     * Capability#FINDS_ACTIVITIES_BY_KEY}).
     */
    default List<ActivityResult> writeActivities(List<ActivityWrite> batch) {
        throw new UnsupportedOperationException("this connector does not post activities");
    }

    /** Ends the run's use of the connector; never throws a checked exception. */
    @Override
    default void close() {
    }
}
