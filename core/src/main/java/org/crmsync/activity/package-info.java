/**
 * Activities: what people did on the application's side that the CRM records but that are not
 * profiles (calls, donations), the application's {@link org.crmsync.activity.ActivitySource} of them,
 * and the {@link org.crmsync.activity.ActivityMapping} of their fields to the CRM's. An activity job
 * ({@code SyncDirection.ACTIVITIES}) pushes each one exactly once, after its profile is linked.
 */
package org.crmsync.activity;
