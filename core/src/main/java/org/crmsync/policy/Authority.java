package org.crmsync.policy;

/** Which side wins when both have a value. */
public enum Authority {
    /** Changes flow both ways (the SMS platform syncs of the seeds). */
    TWO_WAY,
    /**
     * The application is the system of record (the ActiveCampaign seed): the local side overwrites
     * mapped fields in the CRM, CRM-side edits of linked contacts are not pulled, and CRM contacts
     * unknown locally are imported as new prospects.
     */
    LOCAL_SYSTEM_OF_RECORD
}
