/**
 * The ActiveCampaign API v3 client the connector is built on: a Retrofit interface with Jackson DTOs
 * for users, custom fields, lists, contacts (with side-loaded {@code fieldValues} and
 * {@code contactLists}), {@code contact/sync}, list status, custom field values and the bulk importer,
 * and {@link org.crmsync.activecampaign.internal.ActiveCampaignClient}, which pages, checks that
 * filters were applied, and turns ActiveCampaign's error bodies into {@code CrmSyncException}s. Not
 * API: these types may change in any release.
 */
package org.crmsync.activecampaign.internal;
