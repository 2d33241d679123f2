package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ActionKitJson;
import org.crmsync.kit.Chunks;

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

    /**
     * Reads the phones of the users the run knows nothing of yet, 100 users a call ({@code user__in}) where
     * the phone schema allows, so that a batch's mobile numbers are compared without a call per user.
     */
    void preload(Collection<String> userIds) {
        if (!schemas.phonesByUsers()) {
            return; // read one user at a time, when needed
        }
        List<String> unknown = userIds.stream().filter(id -> !phones.containsKey(id)).distinct().toList();
        for (List<String> chunk : Chunks.byCount(unknown, ActionKitClient.MAX_PAGE)) {
            Map<String, List<JsonNode>> byUser = new LinkedHashMap<>();
            chunk.forEach(id -> byUser.put(id, new ArrayList<>()));
            for (JsonNode p : client.all(client.collectionUrl("phone", List.of(Map.entry("user__in", String.join(",", chunk)),
                    Map.entry("_limit", Integer.toString(ActionKitClient.MAX_PAGE)))), "phones of users (GET /rest/v1/phone/)")) {
                ActionKitJson.idOf(ActionKitJson.text(p, "user")).map(byUser::get).ifPresent(list -> list.add(p));
            }
            byUser.forEach(this::remember);
        }
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

    /** Whether the user has a mobile phone of this number, of any source, from what the run knows or one read. */
    boolean hasMobile(String userId, String number) {
        List<JsonNode> known = phones.get(userId);
        if (known == null) {
            known = read(userId);
            phones.put(userId, known);
        }
        String wanted = UserRecords.normalized(number);
        return known.stream().anyMatch(p -> UserRecords.PHONE_MOBILE.equalsIgnoreCase(ActionKitJson.text(p, "type"))
                && UserRecords.normalized(ActionKitJson.text(p, "phone")).equals(wanted));
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
