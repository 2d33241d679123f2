package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ActionKitJson;
import org.crmsync.spi.PreflightProblem;

/**
 * ActionKit's call pages as the mConnect call sync needs them: found by short name ({@code GET
 * /rest/v1/page/?name=...}; a page's {@code name} is unique, core_page), each with its custom page
 * fields ({@code "fields": {...}} on a page, controlshift/action_kit_rest fixtures). The seed links an
 * mConnect and a call page both ways: the page's ActionKit ID goes into the mConnect's CRM Alert ID, and
 * the mConnect's key into the page's custom page field {@value #MCONNECT_FIELD} ("Scroll to the Custom
 * Page Fields section and add the mConnect key to the call_mconnect_id field"). A page is read once per
 * run.
 */
final class CallPages {
    static final String MCONNECT_FIELD = "call_mconnect_id";

    private final ActionKitClient client;
    private final ActionKitConfig config;
    private final Map<String, Optional<CallPage>> byName = new ConcurrentHashMap<>();

    /** A page as the call sync sees it. */
    record CallPage(String name, String id, String type, Optional<String> mconnectKey) {
    }

    CallPages(ActionKitClient client, ActionKitConfig config) {
        this.client = client;
        this.config = config;
    }

    /** The page of that short name; empty when ActionKit has none. */
    Optional<CallPage> page(String name) {
        return byName.computeIfAbsent(name, this::read);
    }

    private Optional<CallPage> read(String name) {
        List<JsonNode> pages = client.collection(client.collectionUrl("page", List.of(Map.entry("name", name))),
                "call page by name (GET /rest/v1/page/)").objects();
        return pages.stream().filter(p -> name.equals(ActionKitJson.text(p, "name"))).findFirst()
                .map(p -> new CallPage(name, ActionKitJson.text(p, "id"), ActionKitJson.text(p, "type"),
                        Optional.of(ActionKitJson.valueText(p.path("fields").get(MCONNECT_FIELD)))
                                .filter(v -> !v.isBlank())));
    }

    /** Why a call of mConnect {@code key} cannot go to the page named {@code name}; empty when it can. */
    Optional<String> problem(String name, Optional<String> key) {
        Optional<CallPage> page = page(name);
        if (page.isEmpty()) {
            return Optional.of("ActionKit has no page named " + name + " (the mConnect's CRM Alert ID, or "
                    + ActionKitConfig.CALL_PAGES + "): check the call page's short name");
        }
        CallPage p = page.get();
        if (p.mconnectKey().isEmpty()) {
            return Optional.of("the call page " + name + " has no " + MCONNECT_FIELD + " custom page field: in ActionKit,"
                    + " Change call page > Custom Page Fields, add the mConnect key to " + MCONNECT_FIELD);
        }
        if (key.isPresent() && !key.get().equals(p.mconnectKey().get())) {
            return Optional.of("the call page " + name + " is linked to another mConnect (its " + MCONNECT_FIELD
                    + " is " + p.mconnectKey().get() + ", this call's mConnect key is " + key.get() + ")");
        }
        return Optional.empty();
    }

    /** Preflight: every configured call page exists and carries its mConnect's key. */
    List<PreflightProblem> problems() {
        List<PreflightProblem> problems = new ArrayList<>();
        config.callPages().forEach((key, name) -> problem(name, Optional.of(key))
                .ifPresent(p -> problems.add(new PreflightProblem(ActionKitConfig.CALL_PAGES, p))));
        return problems;
    }
}
