package org.crmsync.phone;

/** What, if anything, stops a phone value from being used as a mobile number. */
public enum PhoneProblem {
    /** A valid number that can be a mobile (including US numbers, which may be either). */
    NONE,
    /** The value is blank. */
    EMPTY,
    /** The value is not a valid number for its country. */
    INVALID,
    /** A valid number of a kind that is not a mobile: landline, toll-free, premium rate, VoIP, pager... */
    NOT_MOBILE
}
