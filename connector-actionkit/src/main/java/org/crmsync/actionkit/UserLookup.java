package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crmsync.CrmSyncException;
import org.crmsync.actionkit.UserRecords.UserWithPhones;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ActionKitJson;
import org.crmsync.kit.Chunks;
import org.crmsync.kit.LookupCandidates;
import org.crmsync.model.Profile;
import org.crmsync.policy.MatchKey;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/**
 * The ActionKit users that may be the people of a batch, looked up before anything is created, by every
 * key the engine matches on: the constituent ID (the user's id), the email (unique in ActionKit: core_user,
 * reference §1.3) and the mobile number (the phone resource's {@code normalized_phone}). Email alone
 * would miss a person ActionKit knows by another address with the same mobile, who would then be a
 * second user with that number; the phone finds them, and the engine reports such a conflict instead of
 * guessing. Each key is asked for the whole batch in as few calls as the schemas allow ({@code
 * email__in}, {@code id__in}, {@code normalized_phone__in}, 50 values a call), then the found users'
 * phones ({@link UserPhones}); a batch of new people nobody knows costs two calls per 50.
 */
final class UserLookup {
    /** Values per {@code __in} filter: 50 emails keep the URI well under the 8 KB many servers take. */
    static final int VALUES_PER_CALL = 50;

    private final ActionKitClient client;
    private final Schemas schemas;
    private final UserPhones phones;
    private final String phoneSource;

    UserLookup(ActionKitClient client, Schemas schemas, String phoneSource) {
        this.client = client;
        this.schemas = schemas;
        this.phones = new UserPhones(client, schemas);
        this.phoneSource = phoneSource;
    }

    /** The candidates of each request, and every found user with its phones (for the writes that follow). */
    record Found(Map<String, List<RemoteRecord>> candidates, Map<String, UserWithPhones> users) {
    }

    Found lookup(List<LookupRequest> requests) {
        Set<String> emails = new LinkedHashSet<>();
        Set<String> ids = new LinkedHashSet<>();
        Set<String> numbers = new LinkedHashSet<>();
        for (LookupRequest r : requests) {
            Profile p = r.profile();
            for (MatchKey key : r.matchKeys()) {
                switch (key) {
                    case CONSTITUENT_ID:
                        p.constituentId().filter(id -> id.matches("[0-9]{1,18}")).ifPresent(ids::add);
                        break;
                    case EMAIL:
                    case NAME_AND_EMAIL:
                        p.email().filter(e -> !e.isBlank() && !e.contains(",")).ifPresent(emails::add);
                        break;
                    case PHONE:
                        p.phoneNumber().map(UserRecords::normalized).filter(n -> !n.isEmpty()).ifPresent(numbers::add);
                        break;
                    default:
                        break; // ActionKit users keep no local id
                }
            }
        }
        Map<String, JsonNode> users = new LinkedHashMap<>();
        usersByEmail(emails).forEach(u -> users.putIfAbsent(ActionKitJson.text(u, "id"), u));
        Set<String> phoneUsers = new LinkedHashSet<>();
        for (JsonNode phone : phonesByNumber(numbers)) {
            ActionKitJson.idOf(ActionKitJson.text(phone, "user")).ifPresent(phoneUsers::add);
        }
        Set<String> wanted = new LinkedHashSet<>(ids);
        wanted.addAll(phoneUsers);
        wanted.removeAll(users.keySet());
        usersById(wanted).forEach(u -> users.putIfAbsent(ActionKitJson.text(u, "id"), u));

        Map<String, List<JsonNode>> phonesByUser = phones.of(users.values());
        Map<String, UserWithPhones> found = new LinkedHashMap<>();
        users.forEach((id, u) -> found.put(id, new UserWithPhones(u, phonesByUser.getOrDefault(id, List.of()))));
        Map<String, List<RemoteRecord>> candidates = LookupCandidates.assign(requests, found.values(),
                UserLookup::mayMatch, u -> UserRecords.record(u, phoneSource, SyncCursor.start()));
        return new Found(candidates, found);
    }

    private static boolean mayMatch(LookupRequest r, UserWithPhones u) {
        Profile p = r.profile();
        for (MatchKey key : r.matchKeys()) {
            switch (key) {
                case CONSTITUENT_ID:
                    if (p.constituentId().filter(u.id()::equals).isPresent()) {
                        return true;
                    }
                    break;
                case EMAIL:
                case NAME_AND_EMAIL:
                    String email = ActionKitJson.text(u.user(), "email");
                    if (!email.isEmpty() && p.email().filter(email::equalsIgnoreCase).isPresent()) {
                        return true;
                    }
                    break;
                case PHONE:
                    Optional<String> wanted = p.phoneNumber().map(UserRecords::normalized);
                    if (wanted.isPresent() && u.phones().stream().filter(ph -> UserRecords.PHONE_MOBILE.equalsIgnoreCase(
                            ActionKitJson.text(ph, "type"))).anyMatch(ph -> wanted.get().equals(
                                    UserRecords.normalized(ActionKitJson.text(ph, "phone"))))) {
                        return true;
                    }
                    break;
                default:
                    break;
            }
        }
        return false;
    }

    /** Users with these emails: {@code email__in} per 50 where the schema allows, else one call each. */
    List<JsonNode> usersByEmail(Collection<String> emails) {
        List<JsonNode> users = new ArrayList<>();
        if (emails.isEmpty()) {
            return users;
        }
        if (schemas.usersByEmails()) {
            for (List<String> chunk : Chunks.byCount(List.copyOf(emails), VALUES_PER_CALL)) {
                users.addAll(client.all(client.collectionUrl("user", List.of(Map.entry("email__in", String.join(",",
                        chunk)), Map.entry("_limit", Integer.toString(ActionKitClient.MAX_PAGE)))),
                        "users by email (GET /rest/v1/user/)"));
            }
        } else {
            // "GET /rest/v1/user/?email={email}" (WeMoveEU/actionkit-api users.get_by_email)
            for (String email : emails) {
                users.addAll(client.all(client.collectionUrl("user", List.of(Map.entry("email", email))),
                        "user by email (GET /rest/v1/user/)"));
            }
        }
        return users;
    }

    /** Users with these ids: {@code id__in} per 50 where the schema allows, else {@code user/{id}/} each. */
    List<JsonNode> usersById(Collection<String> ids) {
        List<JsonNode> users = new ArrayList<>();
        if (ids.isEmpty()) {
            return users;
        }
        if (schemas.usersByIds()) {
            for (List<String> chunk : Chunks.byCount(List.copyOf(ids), VALUES_PER_CALL)) {
                users.addAll(client.all(client.collectionUrl("user", List.of(Map.entry("id__in", String.join(",",
                        chunk)), Map.entry("_limit", Integer.toString(ActionKitClient.MAX_PAGE)))),
                        "users by id (GET /rest/v1/user/)"));
            }
        } else {
            for (String id : ids) {
                try {
                    users.add(client.object("/rest/v1/user/" + id + "/", "user (GET /rest/v1/user/{id}/)"));
                } catch (CrmSyncException e) {
                    if (e.httpStatus().orElse(0) != 404) {
                        throw e; // a user that is gone is no candidate; anything else stops the look-up
                    }
                }
            }
        }
        return users;
    }

    private List<JsonNode> phonesByNumber(Collection<String> numbers) {
        List<JsonNode> found = new ArrayList<>();
        if (numbers.isEmpty()) {
            return found;
        }
        if (schemas.phonesByNumbers()) {
            for (List<String> chunk : Chunks.byCount(List.copyOf(numbers), VALUES_PER_CALL)) {
                List<Map.Entry<String, String>> q = new ArrayList<>();
                q.add(Map.entry("normalized_phone__in", String.join(",", chunk)));
                if (schemas.phonesByType()) {
                    q.add(Map.entry("type", UserRecords.PHONE_MOBILE));
                }
                q.add(Map.entry("_limit", Integer.toString(ActionKitClient.MAX_PAGE)));
                found.addAll(client.all(client.collectionUrl("phone", q), "phones by number (GET /rest/v1/phone/)"));
            }
        } else if (schemas.phonesByNumber()) {
            for (String n : numbers) {
                found.addAll(client.all(client.collectionUrl("phone", List.of(Map.entry("normalized_phone", n))),
                        "phone by number (GET /rest/v1/phone/)"));
            }
        }
        return found.stream().filter(p -> UserRecords.PHONE_MOBILE.equalsIgnoreCase(ActionKitJson.text(p, "type")))
                .toList();
    }

    static String emailKey(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }
}
