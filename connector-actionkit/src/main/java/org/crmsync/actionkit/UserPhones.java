package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ActionKitJson;
import org.crmsync.kit.Chunks;

/**
 * The phones of a set of users, in as few calls as the instance's phone schema allows: one call per 100
 * users with {@code user__in}, else one per user ({@code phone/?user=ID}), else one per phone URI the
 * users list. Users whose {@code phones} list is empty cost nothing.
 */
final class UserPhones {
    private final ActionKitClient client;
    private final Schemas schemas;

    UserPhones(ActionKitClient client, Schemas schemas) {
        this.client = client;
        this.schemas = schemas;
    }

    /** Each user's phones by user id; every user given has an entry. */
    Map<String, List<JsonNode>> of(Collection<JsonNode> users) {
        Map<String, List<JsonNode>> byUser = new LinkedHashMap<>();
        Set<String> withPhones = new LinkedHashSet<>();
        List<String> phoneUris = new ArrayList<>();
        for (JsonNode u : users) {
            String id = ActionKitJson.text(u, "id");
            byUser.put(id, new ArrayList<>());
            JsonNode phones = u.get("phones");
            if (phones == null || !phones.isArray() || !phones.isEmpty()) {
                withPhones.add(id);
                if (phones != null && phones.isArray()) {
                    phones.forEach(p -> phoneUris.add(p.isTextual() ? p.asText() : ActionKitJson.text(p, "resource_uri")));
                }
            }
        }
        if (withPhones.isEmpty()) {
            return byUser;
        }
        List<JsonNode> phones = new ArrayList<>();
        if (schemas.phonesByUsers()) {
            for (List<String> chunk : Chunks.byCount(List.copyOf(withPhones), ActionKitClient.MAX_PAGE)) {
                List<Map.Entry<String, String>> q = new ArrayList<>();
                q.add(Map.entry("user__in", String.join(",", chunk)));
                typeFilter(q);
                q.add(Map.entry("_limit", Integer.toString(ActionKitClient.MAX_PAGE)));
                phones.addAll(client.all(client.collectionUrl("phone", q), "phones of users (GET /rest/v1/phone/)"));
            }
        } else if (schemas.phonesByUser()) {
            for (String id : withPhones) {
                List<Map.Entry<String, String>> q = new ArrayList<>();
                q.add(Map.entry("user", id));
                typeFilter(q);
                q.add(Map.entry("_limit", Integer.toString(ActionKitClient.MAX_PAGE)));
                phones.addAll(client.all(client.collectionUrl("phone", q), "phones of a user (GET /rest/v1/phone/)"));
            }
        } else {
            for (String uri : phoneUris) {
                if (!uri.isBlank()) {
                    phones.add(client.object(uri, "phone (GET /rest/v1/phone/{id}/)"));
                }
            }
        }
        for (JsonNode p : phones) {
            ActionKitJson.idOf(ActionKitJson.text(p, "user")).map(byUser::get).ifPresent(list -> list.add(p));
        }
        return byUser;
    }

    private void typeFilter(List<Map.Entry<String, String>> q) {
        if (schemas.phonesByType()) {
            q.add(Map.entry("type", UserRecords.PHONE_MOBILE));
        }
    }
}
