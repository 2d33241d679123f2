package org.crmsync.spi;

/** What a connector can do; the engine plans its calls around these. */
public enum Capability {
    /** Reads changed records through the CRM's API. */
    READ_API,
    /** Reads changed records from the CRM's export file. */
    READ_EXPORT_FILE,
    /** Finds existing CRM records for a whole batch of profiles in one call or a few. */
    BATCH_LOOKUP,
    /** Writes a batch of records in one call or a few. */
    BATCH_WRITE,
    /** The CRM itself deduplicates creates (an upsert), so a create may be retried blindly. */
    IDEMPOTENT_CREATE
}
