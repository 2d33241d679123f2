package org.crmsync.activecampaign.internal;

import java.util.List;

/**
 * One page of {@code GET contacts}.
 *
 * @param total {@code meta.total}: how many contacts match the query as sent (with {@code id_greater},
 *     those after it), or -1 when ActiveCampaign sent no count
 */
public record ContactPage(List<AcContact> contacts, long total) {
    public ContactPage {
        contacts = List.copyOf(contacts);
    }
}
