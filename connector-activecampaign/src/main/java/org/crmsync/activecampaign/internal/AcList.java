package org.crmsync.activecampaign.internal;

import static java.util.Objects.requireNonNull;

/** A mailing list: its id and name. */
public record AcList(String id, String name) {
    public AcList {
        requireNonNull(id, "id");
        name = name == null ? "" : name;
    }
}
