package org.crmsync.report;

/** Why a record had its outcome; one reason per record so reports can be filtered and counted. */
public enum Reason {
    /** Created, updated or equal as asked: nothing to explain. */
    NONE(null),
    /** No valid mobile number (missing, invalid or a landline). */
    NO_MOBILE_NUMBER(Outcome.SKIPPED),
    /** The record's country is not one the policy allows (the seeds: US for ActionKit and EveryAction). */
    COUNTRY_NOT_ALLOWED(Outcome.SKIPPED),
    /** A field the mapping marks required has no value. */
    MISSING_REQUIRED_FIELD(Outcome.SKIPPED),
    /** Conservative sync: the CRM's opt-in is not true. */
    NOT_OPTED_IN(Outcome.SKIPPED),
    /** More than one profile or CRM record matched; the sync never guesses. */
    MULTIPLE_MATCHES(Outcome.SKIPPED),
    /**
     * The person's keys point to different records (the phone to one, the email to another), or the
     * record found by phone or email has another name and email: another person. Nothing is written.
     */
    MATCH_CONFLICT(Outcome.SKIPPED),
    /** The match is already linked to another CRM record. */
    LINKED_TO_OTHER_RECORD(Outcome.SKIPPED),
    /** The CRM says opted in but the person opted out locally; re-subscribing takes a new local opt-in. */
    OPT_OUT_PROTECTED(Outcome.SKIPPED),
    /** A new opt-in without an email address is not created in the CRM (the seeds' rule). */
    NO_EMAIL(Outcome.SKIPPED),
    /** An opt-out of someone with no CRM record: nothing to update. */
    NOT_IN_CRM(Outcome.SKIPPED),
    /** The record would reach the CRM without a field the CRM requires (e.g. Salesforce's LastName). */
    CRM_REQUIRED_FIELD_MISSING(Outcome.SKIPPED),
    /** The application is the system of record: CRM edits of linked records are not pulled. */
    SYSTEM_OF_RECORD(Outcome.SKIPPED),
    /** Unsubscribed in the CRM, so not imported as a new person. */
    UNSUBSCRIBED(Outcome.SKIPPED),
    /**
     * The CRM account keeps the person out by a rule of its own (an email exclusion list, say) and took
     * nothing; sending again changes nothing until that rule does, so the record is not retried.
     */
    EXCLUDED_BY_CRM(Outcome.SKIPPED),
    /** An activity whose profile is not linked to a CRM record yet: it waits until the profile sync links it. */
    NOT_LINKED_YET(Outcome.DEFERRED),
    /** An activity of a profile that opted out, and the policy keeps such activities out of the CRM. */
    PROFILE_OPTED_OUT(Outcome.SKIPPED),
    /** An activity of a type the job's activity mapping does not name, or of a profile the store does not have. */
    ACTIVITY_NOT_MAPPED(Outcome.SKIPPED),
    /**
     * An activity an earlier attempt may have posted (its answer was lost, or the run stopped before
     * its cursor moved), for a CRM where the connector cannot look for it by key: not sent again, so it
     * is never posted twice; a person checks the CRM.
     */
    IN_DOUBT(Outcome.SKIPPED),
    /** The daily API quota was reached; the record waits for the next run. */
    QUOTA_REACHED(Outcome.DEFERRED),
    /** The run stopped before this record (the CRM failed a whole call); it waits for the next run. */
    RUN_STOPPED(Outcome.DEFERRED),
    /** The record's data is invalid (a value that cannot be converted, a malformed row, rejected by the CRM). */
    VALIDATION_ERROR(Outcome.FAILED),
    /** Something went wrong while syncing the record (the CRM or the store failed). */
    PROCESSING_ERROR(Outcome.FAILED);

    private final Outcome outcome;

    Reason(Outcome outcome) {
        this.outcome = outcome;
    }

    /** The outcome this reason goes with; {@code NONE} goes with created, updated and no difference. */
    public boolean fits(Outcome o) {
        return outcome == null ? (o == Outcome.CREATED || o == Outcome.UPDATED || o == Outcome.NO_DIFFERENCE)
                : outcome == o;
    }
}
