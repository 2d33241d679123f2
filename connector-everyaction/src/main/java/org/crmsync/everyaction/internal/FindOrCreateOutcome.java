package org.crmsync.everyaction.internal;

import static java.util.Objects.requireNonNull;

/**
 * What {@code people/findOrCreate} answered, one type per answer VAN is known to give: 201 with
 * {@code {vanId, status}} (a new person), 302 with {@code {vanId, status}} (a match; NGP VAN's sample
 * client reads both), 200 with the full person (the vendor's reference, which does not say whether it
 * matched), and a refusal of the record (400 and the like, with VAN's error envelope described).
 */
public sealed interface FindOrCreateOutcome {
    /** 201: VAN stored a new person. */
    record Created(long vanId, String status) implements FindOrCreateOutcome {
        public Created {
            requireNonNull(status, "status");
        }
    }

    /** 302: VAN matched a person it had. */
    record Matched(long vanId, String status) implements FindOrCreateOutcome {
        public Matched {
            requireNonNull(status, "status");
        }
    }

    /** 200: VAN answered with the person itself, matched or new (it does not say). */
    record Person(VanPerson person) implements FindOrCreateOutcome {
        public Person {
            requireNonNull(person, "person");
        }
    }

    /** VAN refused this record (the message names VAN's error codes, texts and reference code). */
    record Refused(int httpStatus, String errorCode, String message) implements FindOrCreateOutcome {
        public Refused {
            requireNonNull(errorCode, "errorCode");
            requireNonNull(message, "message");
        }
    }
}
