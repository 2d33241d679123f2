package org.crmsync.activecampaign.internal;

import java.util.List;

/** One contact of a bulk import, with the lists to subscribe it to and to unsubscribe it from. */
public record ImportContact(ContactData data, List<String> subscribeListIds, List<String> unsubscribeListIds) {
    public ImportContact {
        subscribeListIds = List.copyOf(subscribeListIds);
        unsubscribeListIds = List.copyOf(unsubscribeListIds);
    }
}
