package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.actionkit.internal.ActionKitJson;
import org.crmsync.mapping.RecordSource;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/**
 * An ActionKit user, with its phones, as the engine reads a record: the user's own fields under their
 * names, its custom fields as {@code user_<name>} (the {@code fields} dictionary), and its mobile number
 * as {@value ActionKitMapping#MOBILE_PHONE}. Users hold their phones as resource URIs ({@code "phones":
 * ["/rest/v1/phone/568/"]}, reference §7), so the phones are read separately and given here.
 */
final class UserRecords {
    static final String PHONE_MOBILE = "mobile";

    private UserRecords() {
    }

    /** A user with its phones. */
    record UserWithPhones(JsonNode user, List<JsonNode> phones) {
        String id() {
            return ActionKitJson.text(user, "id");
        }

        Optional<Instant> updatedAt() {
            return ActionKitJson.time(ActionKitJson.text(user, "updated_at"));
        }
    }

    /** The user's fields by the mapping's names. */
    static Map<String, String> fields(JsonNode user, List<JsonNode> phones, String phoneSource) {
        Map<String, String> fields = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = user.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isContainerNode()) {
                fields.put(e.getKey(), ActionKitJson.valueText(e.getValue()));
            }
        }
        Iterator<Map.Entry<String, JsonNode>> custom = user.path("fields").properties().iterator();
        while (custom.hasNext()) {
            Map.Entry<String, JsonNode> e = custom.next();
            fields.put(ActionKitMapping.USER_FIELD_PREFIX + e.getKey(), ActionKitJson.valueText(e.getValue()));
        }
        mobile(phones, phoneSource).ifPresent(p -> fields.put(ActionKitMapping.MOBILE_PHONE, ActionKitJson.text(p, "phone")));
        return fields;
    }

    /**
     * The user's mobile number: of its phones of type {@code mobile}, the one with the sync's own source
     * (the one the sync keeps up to date: ActionKit has one phone per user, type and source), else the
     * most recently updated one.
     */
    static Optional<JsonNode> mobile(List<JsonNode> phones, String phoneSource) {
        List<JsonNode> mobiles = phones.stream().filter(p -> PHONE_MOBILE.equalsIgnoreCase(ActionKitJson.text(p, "type")))
                .filter(p -> !ActionKitJson.text(p, "phone").isBlank()).toList();
        Optional<JsonNode> ours = mobiles.stream().filter(p -> phoneSource.equals(ActionKitJson.text(p, "source")))
                .findFirst();
        if (ours.isPresent()) {
            return ours;
        }
        return mobiles.stream().max(Comparator.comparing((JsonNode p) -> ActionKitJson.text(p, "updated_at"))
                .thenComparing(p -> ActionKitJson.text(p, "id")));
    }

    /** The phone the sync writes the mobile number to: the user's mobile phone of the sync's source. */
    static Optional<JsonNode> ownMobile(List<JsonNode> phones, String phoneSource) {
        return phones.stream().filter(p -> PHONE_MOBILE.equalsIgnoreCase(ActionKitJson.text(p, "type")))
                .filter(p -> phoneSource.equals(ActionKitJson.text(p, "source"))).findFirst();
    }

    /** A user as a look-up candidate or a record read by id. */
    static RemoteRecord record(UserWithPhones u, String phoneSource, SyncCursor cursor) {
        return RemoteRecord.of(u.id(), fields(u.user(), u.phones(), phoneSource), RecordSource.API, cursor,
                "ActionKit user " + u.id());
    }

    /**
     * The digits ActionKit keeps as a phone's {@code normalized_phone}: the number without punctuation or
     * the leading country code of a North American number ({@code "+1-104-123-4567"} came back as {@code
     * "1041234567"}, affinityworks Responses.ts, reference §7).
     */
    static String normalized(String phone) {
        String digits = phone.replaceAll("[^0-9]", "");
        return digits.length() == 11 && digits.startsWith("1") ? digits.substring(1) : digits;
    }
}
