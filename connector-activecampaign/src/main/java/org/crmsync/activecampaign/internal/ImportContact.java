package org.crmsync.activecampaign.internal;

import java.util.List;

/**
 * One contact of a bulk import, with the lists to subscribe it to and to unsubscribe it from, and
 * whether the importer may run the account's automations on it ({@code exclude_automations}, a
 * property of each contact in the reference's example: "By default, automations will run when doing a
 * bulk import", https://developers.activecampaign.com/reference/bulk-import-contacts).
 */
public record ImportContact(ContactData data, List<String> subscribeListIds, List<String> unsubscribeListIds,
        boolean excludeAutomations) {
    public ImportContact {
        subscribeListIds = List.copyOf(subscribeListIds);
        unsubscribeListIds = List.copyOf(unsubscribeListIds);
    }
}
