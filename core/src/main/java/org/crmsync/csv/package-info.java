/**
 * Streaming reader for the CSV files CRMs export: Salesforce report exports, Luminate changed-records
 * files, EveryAction export jobs. Files are read one record at a time, never whole.
 */
package org.crmsync.csv;
