package org.crmsync.mapping;

/** When a mapped field is written to the CRM. */
public enum WriteMode {
    /** Every push writes the local value. */
    ALWAYS,
    /** Written only while the CRM's value is empty (the seeds' "updates once only", e.g. the local ID). */
    ONLY_WHEN_EMPTY,
    /** Never written to the CRM: the CRM owns the field and the sync only reads it. */
    NEVER
}
