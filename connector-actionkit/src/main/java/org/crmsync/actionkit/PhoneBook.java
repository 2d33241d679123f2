package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ActionKitJson;

/**
 * What one run knows of its users' phones: the phones look-ups and reads brought, and none for users the
 * run created; a user the run knows nothing of has its phones read once ({@code phone/?user=ID}, or its
 * user object and each phone it lists). Thread-safe: a session's calls may be in flight together.
 */
final class PhoneBook {
    private final ActionKitClient client;
    private final Schemas schemas;
    private final String phoneSource;
    private final Map<String, List<JsonNode>> phones = new ConcurrentHashMap<>();

    PhoneBook(ActionKitClient client, Schemas schemas, String phoneSource) {
        this.client = client;
        this.schemas = schemas;
        this.phoneSource = phoneSource;
    }

    void remember(String userId, List<JsonNode> userPhones) {
        phones.put(userId, List.copyOf(userPhones));
    }

    /** A user the run just created has no phone yet. */
    void created(String userId) {
        phones.put(userId, List.of());
    }

    /** The user's mobile phone of the sync's source, from what the run knows or one read. */
    Optional<JsonNode> ownMobile(String userId) {
        List<JsonNode> known = phones.get(userId);
        if (known == null) {
            known = read(userId);
            phones.put(userId, known);
        }
        return UserRecords.ownMobile(known, phoneSource);
    }

    /** Reads the user's phones again (a create refused because the phone exists). */
    Optional<JsonNode> reload(String userId) {
        List<JsonNode> fresh = read(userId);
        phones.put(userId, fresh);
        return UserRecords.ownMobile(fresh, phoneSource);
    }

    private List<JsonNode> read(String userId) {
        if (schemas.phonesByUser() || schemas.phonesByUsers()) {
            return client.all(client.collectionUrl("phone", List.of(Map.entry(schemas.phonesByUser() ? "user"
                    : "user__in", userId), Map.entry("_limit", Integer.toString(ActionKitClient.MAX_PAGE)))),
                    "phones of a user (GET /rest/v1/phone/)");
        }
        JsonNode user = client.object("/rest/v1/user/" + userId + "/", "user (GET /rest/v1/user/{id}/)");
        List<JsonNode> list = new ArrayList<>();
        user.path("phones").forEach(uri -> list.add(client.object(uri.asText(), "phone (GET /rest/v1/phone/{id}/)")));
        return list.stream().filter(p -> ActionKitJson.idOf(ActionKitJson.text(p, "user")).filter(userId::equals)
                .isPresent()).toList();
    }
}
