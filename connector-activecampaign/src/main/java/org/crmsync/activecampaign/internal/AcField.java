package org.crmsync.activecampaign.internal;

import static java.util.Objects.requireNonNull;

/**
 * A custom contact field's definition: numeric id (account-specific), title, personalization tag
 * ({@code perstag}, e.g. {@code SONIS_ID}) and type (text, textarea, date, datetime, dropdown, listbox,
 * radio, checkbox, hidden).
 */
public record AcField(String id, String title, String perstag, String type) {
    public AcField {
        requireNonNull(id, "id");
        title = title == null ? "" : title;
        perstag = perstag == null ? "" : perstag;
        type = type == null ? "" : type;
    }
}
