package org.crmsync.mapping;

/** What a blank value on the side being read does to the other side. */
public enum BlankHandling {
    /** A blank value is not written: the other side keeps what it has. */
    SKIP,
    /** A blank value clears the other side's value. */
    CLEAR
}
