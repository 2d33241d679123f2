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
    READ_BY_ID
}
