/**
 * The Salesforce REST client the connector is built on: a Retrofit interface with Jackson DTOs for the
 * OAuth token endpoint, SOQL queries, describe, sObject Collections and the report export, and
 * {@link org.crmsync.salesforce.internal.SalesforceClient}, which logs in, logs in again once on an
 * expired session, reads {@code Sforce-Limit-Info} and turns Salesforce's error bodies into {@code
 * CrmSyncException}s. Not API: these types may change in any release.
 */
package org.crmsync.salesforce.internal;
