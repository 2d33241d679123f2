package org.crmsync.spi;

/** What a connector can do beyond the {@link ConnectorSession} basics; the engine plans around each. */
public enum Capability {
    /**
     * The CRM finds or creates in one call (a find-or-create, an upsert by email): the engine sends a
     * new opt-in's create without looking it up first, and a create that landed on an existing record
     * comes back {@link WriteResult.Status#MATCHED}, which the engine links like a lookup's match
     * (checking that no other local profile is linked to it).
     */
    MATCHES_ON_CREATE,
    /**
     * {@link ConnectorSession#read} works: inbound records kept for retry are read again from the CRM
     * instead of being applied from the fields kept when they failed.
     */
    READ_BY_ID,
    /**
     * {@link ConnectorSession#writeActivities} works: the connector posts activities (calls,
     * donations) to the CRM record of their person.
     */
    WRITE_ACTIVITIES,
    /**
     * The CRM stores an activity's key with it, and {@link ConnectorSession#writeActivities} looks for
     * the key of an {@link ActivityWrite#inDoubt() in-doubt} activity before posting it, so an activity
     * whose first attempt may have landed is never posted twice. Without it the engine does not send an
     * in-doubt activity again: it reports it for a person to check.
     */
    FINDS_ACTIVITIES_BY_KEY
}
