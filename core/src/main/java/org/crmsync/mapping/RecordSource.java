package org.crmsync.mapping;

/** Where a remote record was read from, which decides whether API names or CSV headings apply. */
public enum RecordSource {
    /** Read through the CRM's API: fields are keyed by API field name. */
    API,
    /** Read from the CRM's export file: fields are keyed by CSV heading. */
    EXPORT_FILE
}
