package org.crmsync.activecampaign.internal;

import java.util.Optional;

/**
 * What ActiveCampaign did with one contact write: the contact as saved, or the reason it refused the
 * data (an HTTP 400/404/422 answer, as {@code title (pointer)} of each error).
 */
public record WriteOutcome(Optional<AcContact> contact, Optional<String> rejection, Optional<String> code) {
    static WriteOutcome saved(AcContact contact) {
        return new WriteOutcome(Optional.of(contact), Optional.empty(), Optional.empty());
    }

    static WriteOutcome rejected(String code, String reason) {
        return new WriteOutcome(Optional.empty(), Optional.of(reason), Optional.of(code));
    }
}
