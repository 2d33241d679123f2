package org.crmsync.policy;

/**
 * Over which time the policy's API quota counts calls. All jobs of one connection (one CRM account)
 * must count in the same window, since they share its counter.
 */
public enum QuotaWindow {
    /** From midnight to midnight UTC: the quota is a budget per calendar day. The default. */
    UTC_DAY,
    /**
     * The last 24 hours, as Salesforce counts its own API request limit. Calls are counted in hourly
     * buckets and a bucket counts while any part of it lies within the last 24 hours, so a call counts
     * for between 24 and 25 hours: the window never lets through more than the quota in any 24 hours,
     * at the cost of up to an hour's calls held back at its edge.
     */
    ROLLING_24_HOURS
}
