package org.crmsync.policy;

/** A way to find the local profile or CRM record that a record corresponds to. */
public enum MatchKey {
    /** The CRM record id stored in the profile. */
    CONSTITUENT_ID,
    /** The application's id stored in a CRM field (the ActiveCampaign seed's SONIS_ID). */
    LOCAL_ID,
    /** The mobile phone number in E.164 form. */
    PHONE,
    /** The email address, ignoring case. */
    EMAIL,
    /** First name, last name and email together, ignoring case (the ActiveCampaign seed). */
    NAME_AND_EMAIL
}
