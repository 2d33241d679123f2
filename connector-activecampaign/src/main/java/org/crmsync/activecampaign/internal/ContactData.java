package org.crmsync.activecampaign.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The values one write sends. A {@code null} standard field and a custom field absent from {@code
 * customByFieldId} are not sent at all (ActiveCampaign keeps its value); an empty string clears the
 * field, so it appears only where a mapping asked to clear.
 */
public record ContactData(String email, String firstName, String lastName, String phone,
        Map<String, String> customByFieldId) {
    public ContactData {
        customByFieldId = Collections.unmodifiableMap(new LinkedHashMap<>(customByFieldId));
    }

    public Optional<String> emailValue() {
        return Optional.ofNullable(email);
    }

    /** Whether any value asks to clear a field. */
    public boolean clearsAField() {
        return "".equals(email) || "".equals(firstName) || "".equals(lastName) || "".equals(phone)
                || customByFieldId.containsValue("");
    }

    @Override
    public String toString() {
        return "ContactData{custom fields " + customByFieldId.keySet() + "}";
    }
}
