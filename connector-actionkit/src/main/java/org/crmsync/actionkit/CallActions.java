package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.activity.ActivityMapping;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ActionKitClient.Written;
import org.crmsync.actionkit.internal.ActionKitJson;
import org.crmsync.spi.ActivityResult;
import org.crmsync.spi.ActivityWrite;

/**
 * mConnect calls as actions on ActionKit call pages (the seed's "Syncing mConnect"): each call is {@code
 * POST /rest/v1/action/} with the call page's short name ({@code page}), the caller's {@code akid} (the
 * user's {@code token}, read for the batch's users at once), and action fields: {@code
 * action_call_mconnect_id} (the mConnect key), the mapped fields (the target called...), {@code
 * action_called_at}, and the application's key of the call as {@value #KEY_FIELD}. Action processing
 * keeps action fields without their prefix ("fields": {"age": "101"} for {@code action_age}, cassette
 * actions_new_user.yml), so a posted call carries its key.
 *
 * <p>Exactly once: a call that may have been posted already (its answer lost, or the run stopped before
 * its cursor moved) is looked for among its user's actions first ({@code GET /rest/v1/action/?user=ID},
 * the link ActionKit itself gives as a user's {@code actions}, users.html; every page of it) by its key
 * field, and not posted again when found. A post that fails without an answer is not sent again by the
 * client (action processing records an action each time), so the engine keeps the batch in doubt.
 *
 * <p>The call page: the activity's {@code page} (the mConnect's CRM Alert ID, which the seed fills with the
 * call page's ActionKit ID: a page id or a short name), else {@code call.pages} for its mConnect key, else
 * the activity type's CRM name when the application mapped one. The page must exist and carry the
 * mConnect's key in its custom page field {@value CallPages#MCONNECT_FIELD}; a call to a page that does
 * not, or lacks the field, is reported with that reason and kept, to go once the page is set up.
 */
final class CallActions {
    static final String TYPE = "call";
    /** The action field that carries the application's key of the call, as ActionKit returns it. */
    static final String KEY_FIELD = "mconnect_call_key";
    static final String PAGE = "page";

    private final ActionKitClient client;
    private final ActionKitConfig config;
    private final CallPages pages;
    private final UserLookup lookup;

    CallActions(ActionKitClient client, ActionKitConfig config, CallPages pages, UserLookup lookup) {
        this.client = client;
        this.config = config;
        this.pages = pages;
        this.lookup = lookup;
    }

    /**
     * The seed's mConnect fields: the mConnect key ({@value CallPages#MCONNECT_FIELD}, required), the CRM
     * Alert ID (the call page), and the target called. The type's CRM name {@code call} means "the page
     * from the activity"; map it to a page's short name to send every call to that page.
     */
    static ActivityMapping defaultMapping() {
        return ActivityMapping.builder().type(TYPE, TYPE).map(TYPE, "mconnect_key", CallPages.MCONNECT_FIELD)
                .map(TYPE, "alert_id", PAGE).map(TYPE, "target", "target").required(TYPE, "mconnect_key").build();
    }

    List<ActivityResult> write(List<ActivityWrite> batch) {
        List<ActivityResult> results = new ArrayList<>(batch.size());
        Map<String, JsonNode> users;
        try {
            users = users(batch);
        } catch (CrmSyncException e) {
            if (e.code() == ErrorCode.QUOTA_EXHAUSTED) {
                batch.forEach(w -> results.add(ActivityResult.notSent(w.key(), e.getMessage())));
                return results;
            }
            throw e;
        }
        Map<String, List<JsonNode>> actionsOf = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            ActivityWrite w = batch.get(i);
            try {
                results.add(post(w, users.get(w.remoteRecordId()), actionsOf));
            } catch (CrmSyncException e) {
                if (e.code() != ErrorCode.QUOTA_EXHAUSTED) {
                    throw e; // its post may have landed: the engine keeps the batch in doubt, looked for next run
                }
                // The meter refuses before a request is sent: this call and the rest were not posted.
                for (int j = i; j < batch.size(); j++) {
                    results.add(ActivityResult.notSent(batch.get(j).key(), e.getMessage()));
                }
                break;
            }
        }
        return results;
    }

    private ActivityResult post(ActivityWrite w, JsonNode user, Map<String, List<JsonNode>> actionsOf) {
        if (user == null) {
            return ActivityResult.failed(w.key(), "NO_SUCH_USER", "ActionKit has no user " + w.remoteRecordId()
                    + " (deleted or merged?); the call is not posted", false);
        }
        Optional<String> mconnect = Optional.ofNullable(w.fields().get(CallPages.MCONNECT_FIELD)).filter(v -> !v.isBlank());
        Optional<String> pageName = pageName(w, mconnect);
        if (pageName.isEmpty()) {
            return ActivityResult.failed(w.key(), "NO_CALL_PAGE", "the call names no ActionKit call page: it has no CRM"
                    + " Alert ID, and " + ActionKitConfig.CALL_PAGES + " maps no page to its mConnect key"
                    + mconnect.map(k -> " " + k).orElse(""), true);
        }
        Optional<String> problem = pages.problem(pageName.get(), mconnect);
        if (problem.isPresent()) {
            return ActivityResult.failed(w.key(), "CALL_PAGE_NOT_READY", problem.get(), true);
        }
        if (w.inDoubt()) {
            List<JsonNode> actions = actionsOf.computeIfAbsent(w.remoteRecordId(), this::actionsOf);
            Optional<JsonNode> earlier = actions.stream().filter(a -> w.key().equals(ActionKitJson.text(a.path("fields"),
                    KEY_FIELD))).findFirst();
            if (earlier.isPresent()) {
                return ActivityResult.alreadyPosted(w.key(), Optional.of(ActionKitJson.text(earlier.get(), "id"))
                        .filter(s -> !s.isEmpty()));
            }
        }
        ObjectNode action = ActionKitJson.MAPPER.createObjectNode().put(PAGE, pageName.get());
        String akid = ActionKitJson.text(user, "token");
        if (!akid.isEmpty()) {
            action.put("akid", akid);
        } else {
            action.put("email", ActionKitJson.text(user, "email"));
        }
        w.fields().forEach((name, value) -> {
            if (!name.equals(PAGE)) {
                action.put("action_" + name, value);
            }
        });
        action.put("action_called_at", ActionKitJson.format(w.occurredAt()));
        action.put("action_" + KEY_FIELD, w.key());
        Written posted = client.postAction(action);
        if (posted instanceof Written.Refused refused) {
            return ActivityResult.failed(w.key(), refused.unknownPage() ? "CALL_PAGE_NOT_READY" : "ACTION_REFUSED",
                    refused.unknownPage() ? "ActionKit found no page " + pageName.get() + " for the call: "
                            + refused.summary() : refused.summary(), refused.unknownPage());
        }
        if (posted instanceof Written.Conflict conflict) {
            return ActivityResult.failed(w.key(), "ACTION_REFUSED", conflict.summary(), false);
        }
        return ActivityResult.posted(w.key(), ((Written.Done) posted).id());
    }

    private Optional<String> pageName(ActivityWrite w, Optional<String> mconnect) {
        Optional<String> alert = Optional.ofNullable(w.fields().get(PAGE)).filter(v -> !v.isBlank()).map(String::trim);
        if (alert.isPresent()) {
            if (alert.get().matches("[0-9]{1,18}")) {
                // The page's ActionKit ID from its Page Details: the short name is what action processing takes.
                try {
                    return Optional.of(ActionKitJson.text(client.object("/rest/v1/page/" + alert.get() + "/",
                            "call page (GET /rest/v1/page/{id}/)"), "name")).filter(n -> !n.isEmpty());
                } catch (CrmSyncException e) {
                    if (e.httpStatus().orElse(0) == 404) {
                        return alert; // reported as a page ActionKit does not have
                    }
                    throw e;
                }
            }
            return alert;
        }
        Optional<String> mapped = mconnect.map(config.callPages()::get);
        if (mapped.isPresent()) {
            return mapped;
        }
        return w.type().equals(TYPE) ? Optional.empty() : Optional.of(w.type());
    }

    /** The batch's users, for their akid: {@code id__in} per 50 where the schema allows. */
    private Map<String, JsonNode> users(List<ActivityWrite> batch) {
        Set<String> ids = new LinkedHashSet<>();
        batch.forEach(w -> {
            if (w.remoteRecordId().matches("[0-9]{1,18}")) {
                ids.add(w.remoteRecordId());
            }
        });
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        lookup.usersById(ids).forEach(u -> byId.put(ActionKitJson.text(u, "id"), u));
        return byId;
    }

    /** Every action of a user ({@code GET /rest/v1/action/?user=ID}, all pages). */
    private List<JsonNode> actionsOf(String userId) {
        return client.all(client.collectionUrl("action", List.of(Map.entry("user", userId), Map.entry("_limit",
                Integer.toString(ActionKitClient.MAX_PAGE)))), "actions of a user (GET /rest/v1/action/)");
    }
}
