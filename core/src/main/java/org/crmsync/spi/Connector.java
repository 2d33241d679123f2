package org.crmsync.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One CRM account, as the engine uses it. A provider creates it from a validated configuration.
 *
 * <p>Lifecycle and threading: the engine calls one method at a time for a run, in this order:
 * {@link #preflight}, then {@link #readChanges} (inbound) or {@link #lookup} and {@link #write} in
 * batches (outbound). Runs of one job never overlap, but an application may run jobs of different
 * connectors at once, so a connector keeps no state shared with other instances. Every HTTP request
 * a connector sends is first counted with {@link SyncContext#calls()}.
 *
 * <p>Errors: a failure of the whole call (authentication, quota, the CRM down after retries) is
 * thrown as a {@code CrmSyncException}; a failure of one record is returned in its
 * {@link WriteResult} or as a malformed {@link RemoteRecord}, never thrown.
 */
public interface Connector extends AutoCloseable {
    /** The provider id this connector belongs to, e.g. {@code salesforce}. */
    String providerId();

    Set<Capability> capabilities();

    /** How many records the engine should put in one {@link #write} or {@link #lookup} call. */
    default int preferredBatchSize() {
        return 100;
    }

    /**
     * Checks, before any record moves, that the credentials work and that every field the mapping
     * names exists in the CRM and can be written. Returns every problem found; empty means ready.
     */
    List<PreflightProblem> preflight(SyncContext context);

    /**
     * The records changed since {@code since}, in cursor order, lazily. A connector applies the
     * policy's inbound look-back itself, since only it knows what its cursor means: the policy's
     * value when it sets one, else {@link #defaultInboundLookback()}
     * ({@code context.policy().inboundLookbackOr(defaultInboundLookback())}). Records read again in the
     * overlap must be harmless to apply twice.
     */
    ChangeStream readChanges(SyncContext context, SyncCursor since);

    /**
     * How far before its cursor this connector reads again when the policy sets no inbound look-back:
     * how late, by its CRM's documentation, a change may become visible after the time it is stamped
     * with (a transaction committing after the cursor passed its timestamp). Zero unless the connector
     * declares one; a connector whose cursor already overlaps its reads may keep zero.
     */
    default Duration defaultInboundLookback() {
        return Duration.ZERO;
    }

    /**
     * The CRM records that may match each request's profile, keyed by {@link LookupRequest#key()},
     * with fields keyed by API name. A key with no candidates may be absent or map to an empty list.
     */
    Map<String, List<RemoteRecord>> lookup(SyncContext context, List<LookupRequest> requests);

    /**
     * A reason this CRM would refuse {@code write} for lack of a field it requires (for example
     * Salesforce's {@code LastName} on a new contact), checked before anything is sent so the record
     * is reported as not exportable instead of failing in the CRM. Empty when it can be sent.
     */
    default java.util.Optional<String> missingRequiredField(RemoteWrite write) {
        return java.util.Optional.empty();
    }

    /** Writes a batch and returns exactly one result per record, in any order. */
    List<WriteResult> write(SyncContext context, List<RemoteWrite> batch);

    /** Releases connections; never throws a checked exception. */
    @Override
    default void close() {
    }
}
