package org.crmsync.actionkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crmsync.SyncDirection;
import org.crmsync.actionkit.internal.ActionKitClient;
import org.crmsync.actionkit.internal.ActionKitJson;
import org.crmsync.actionkit.internal.ResourceSchema;
import org.crmsync.kit.PreflightChecks;
import org.crmsync.mapping.FieldRule;
import org.crmsync.model.StandardField;
import org.crmsync.spi.PreflightProblem;
import org.crmsync.spi.SyncContext;

/**
 * The checks before any record moves: the login works and may read users (the user schema, which the
 * sync needs anyway), the opt-in field is the allowed user field the seed has the admin create (it
 * exists, is not Required, has exactly the choices {@code false=No} and {@code true=Yes}), every mapped
 * field exists, the user schema allows the filters and orderings the changed-users read needs, the
 * source code fits a phone's {@code source}, and the Import page and call pages the configuration names
 * exist and are of their kind. Every problem is reported at once, each with what to do in ActionKit.
 */
final class Preflight {
    /** The seed's Field Choices for the subscriber field, "false=No" and "true=Yes". */
    static final Set<String> SEED_CHOICES = Set.of("false=No", "true=Yes");
    /** core_phone's {@code source} is at most 25 characters (AK DB models), and the sync's phones carry the source code. */
    static final int MAX_PHONE_SOURCE = 25;

    private final ActionKitConnector connector;
    private final ActionKitClient client;
    private final ActionKitConfig config;
    private final CallPages callPages;

    /** @param callPages the run's call pages, so that the pages preflight reads are not read again for the calls */
    Preflight(ActionKitConnector connector, CallPages callPages) {
        this.connector = connector;
        this.client = connector.client();
        this.config = connector.config();
        this.callPages = callPages;
    }

    List<PreflightProblem> run(SyncContext context) {
        Schemas[] schemas = new Schemas[1];
        List<PreflightProblem> login = PreflightChecks.credentials(() -> schemas[0] = connector.loadSchemas());
        if (!login.isEmpty()) {
            return login;
        }
        List<PreflightProblem> problems = new ArrayList<>();
        SyncDirection direction = context.direction();
        if (direction == SyncDirection.ACTIVITIES) {
            callPages.problems().forEach(problems::add);
            return problems;
        }
        Map<String, JsonNode> allowed = allowedUserFields();
        optInField(allowed.get(config.optInField())).ifPresent(problems::add);
        mappedFields(context, schemas[0].user(), allowed, problems);
        if (direction == SyncDirection.INBOUND && !schemas[0].changedUsers()) {
            List<String> lacking = schemas[0].user().lacking(List.of(new String[] {"updated_at", "gte"},
                    new String[] {"updated_at", "gt"}, new String[] {"updated_at", "exact"}, new String[] {"id", "gt"}),
                    List.of("updated_at", "id"));
            problems.add(new PreflightProblem("user schema", "this ActionKit instance's user schema"
                    + " (/rest/v1/user/schema/) does not allow " + String.join(", ", lacking) + ", which reading the"
                    + " users changed since the last run needs; ask ActionKit support to allow them"));
        }
        if (direction == SyncDirection.OUTBOUND) {
            String source = context.policy().sourceCode();
            if (source == null || source.isBlank()) {
                problems.add(new PreflightProblem("sourceCode", "the policy has no source code; the seed's default is"
                        + " \"Mobile Commons\""));
            } else if (source.length() > MAX_PHONE_SOURCE) {
                problems.add(new PreflightProblem("sourceCode", "the policy's source code is " + source.length()
                        + " characters long; ActionKit keeps a phone's source in at most " + MAX_PHONE_SOURCE
                        + ", and the sync's phones carry it: shorten it"));
            }
            config.uploadPage().flatMap(this::importPageProblem).ifPresent(problems::add);
        }
        return problems;
    }

    /** Every allowed user field by name ({@code GET /rest/v1/alloweduserfield/}, all pages). */
    private Map<String, JsonNode> allowedUserFields() {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode f : client.all(client.collectionUrl("alloweduserfield", List.of(Map.entry("_limit",
                Integer.toString(ActionKitClient.MAX_PAGE)))), "allowed user fields (GET /rest/v1/alloweduserfield/)")) {
            byName.put(ActionKitJson.text(f, "name"), f);
        }
        return byName;
    }

    /**
     * The seed's subscriber field: "In the Display Name field, enter Mobile Subscriber", "(IMPORTANT) Leave
     * the Required checkbox blank", "(IMPORTANT) In the Field Choices field, enter ... false=No true=Yes".
     * Each deviation is its own problem with its fix.
     */
    Optional<PreflightProblem> optInField(JsonNode field) {
        String name = config.optInField();
        if (field == null) {
            return Optional.of(new PreflightProblem(name, "ActionKit has no allowed user field named " + name + ", where"
                    + " the sync keeps the mobile opt-in. In ActionKit, Users > Add allowed user field: Display Name"
                    + " \"Mobile Subscriber\" (ActionKit names it mobile_subscriber), Always Show checked, Required"
                    + " left blank, Field Type blank, Field Choices false=No and true=Yes; or set "
                    + ActionKitConfig.OPT_IN_FIELD + " to the field's name"));
        }
        List<String> wrong = new ArrayList<>();
        if (field.path("required").asBoolean(false)) {
            wrong.add("it is marked Required, so every action page would demand it: untick Required (the seed:"
                    + " \"Leave the Required checkbox blank\")");
        }
        Set<String> choices = choices(ActionKitJson.text(field, "field_choices"));
        if (!choices.equals(SEED_CHOICES)) {
            wrong.add("its Field Choices are " + (choices.isEmpty() ? "empty" : String.join(", ", choices))
                    + "; they must be exactly false=No and true=Yes, one a line, so its values are true and false");
        }
        if (wrong.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PreflightProblem(name, "the allowed user field " + name + ": " + String.join("; ", wrong)));
    }

    /** Field choices as ActionKit keeps them, one {@code value=label} a line. */
    static Set<String> choices(String text) {
        Set<String> choices = new LinkedHashSet<>();
        for (String line : text.split("\\r?\\n|\\r")) {
            String l = line.trim();
            if (!l.isEmpty()) {
                int eq = l.indexOf('=');
                choices.add(eq < 0 ? l : l.substring(0, eq).trim() + "=" + l.substring(eq + 1).trim());
            }
        }
        return choices;
    }

    private void mappedFields(SyncContext context, ResourceSchema user, Map<String, JsonNode> allowed,
            List<PreflightProblem> problems) {
        for (FieldRule rule : context.mapping().rules()) {
            Optional<String> api = rule.apiName();
            if (api.isEmpty()) {
                continue;
            }
            String name = api.get();
            if (rule.localField().equals(StandardField.CONSTITUENT_ID.fieldName())) {
                if (!name.equals(ActionKitMapping.ID)) {
                    problems.add(new PreflightProblem(name, "constituent_id is the ActionKit user's id; map it to id"));
                }
            } else if (rule.localField().equals(StandardField.OPT_IN_STATUS.fieldName())) {
                String expected = ActionKitMapping.USER_FIELD_PREFIX + config.optInField();
                if (!name.equals(expected)) {
                    problems.add(new PreflightProblem(name, "the mapping writes opt-in status to " + name + " but "
                            + ActionKitConfig.OPT_IN_FIELD + " is " + config.optInField() + "; map it to " + expected
                            + " (the provider's defaultMapping(config) does)"));
                }
            } else if (name.equals(ActionKitMapping.MOBILE_PHONE)) {
                continue; // the user's phone of type mobile
            } else if (name.startsWith(ActionKitMapping.USER_FIELD_PREFIX)) {
                String field = name.substring(ActionKitMapping.USER_FIELD_PREFIX.length());
                if (!allowed.containsKey(field)) {
                    problems.add(new PreflightProblem(name, "ActionKit has no allowed user field named " + field
                            + " (mapped from " + rule.localField() + ")" + PreflightChecks.caseHint("ActionKit", field,
                                    allowed.keySet()) + "; add it under Users > Add allowed user field"));
                }
            } else if (!user.fields().isEmpty() && !user.fields().contains(name)) {
                problems.add(new PreflightProblem(name, "ActionKit users have no field " + name + " (mapped from "
                        + rule.localField() + ")" + PreflightChecks.caseHint("ActionKit", name, user.fields())
                        + "; custom user fields are mapped as user_<name>"));
            }
        }
    }

    private Optional<PreflightProblem> importPageProblem(String name) {
        List<JsonNode> pages = client.collection(client.collectionUrl("page", List.of(Map.entry("name", name))),
                "page by name (GET /rest/v1/page/)").objects();
        Optional<JsonNode> page = pages.stream().filter(p -> name.equals(ActionKitJson.text(p, "name"))).findFirst();
        if (page.isEmpty()) {
            return Optional.of(new PreflightProblem(ActionKitConfig.UPLOAD_PAGE, "ActionKit has no page named " + name
                    + "; create an Import page (Pages > Import) of that short name, or leave " + ActionKitConfig.UPLOAD_PAGE
                    + " blank to write every record through the REST resources"));
        }
        String type = ActionKitJson.text(page.get(), "type");
        if (!type.equalsIgnoreCase("Import")) {
            return Optional.of(new PreflightProblem(ActionKitConfig.UPLOAD_PAGE, "the page " + name + " is a " + type
                    + " page; uploads go through an Import page (the upload's page must be \"the name of the ImportPage"
                    + " to use for the actions\", uploads.html)"));
        }
        return Optional.empty();
    }
}
