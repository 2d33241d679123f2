package org.crmsync.activecampaign;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.crmsync.activecampaign.internal.AcField;
import org.crmsync.activecampaign.internal.AcList;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.model.StandardField;
import org.crmsync.spi.PreflightProblem;

/**
 * What the connector learns about the account at preflight: the numeric id of each custom field the
 * mapping names (custom fields are keyed by account-specific ids, so they are resolved by perstag, or
 * title, before any record moves), the local-ID field's id, and the id of the list whose status is the
 * opt-in. Every name that resolves to nothing is a preflight problem.
 */
record Schema(FieldMapping mapping, Map<String, String> fieldIds, Optional<String> localIdFieldId, Optional<String> listId,
        List<PreflightProblem> problems) {
    /** The contact's own fields, by their v3 API names (camelCase on contacts). */
    static final Set<String> STANDARD = Set.of("email", "firstName", "lastName", "phone");

    Schema {
        fieldIds = Collections.unmodifiableMap(new LinkedHashMap<>(fieldIds));
        problems = List.copyOf(problems);
    }

    static boolean isStandard(String apiName) {
        return STANDARD.contains(apiName);
    }

    static boolean isListStatus(String apiName) {
        return ActiveCampaignMapping.LIST_STATUS.equals(apiName);
    }

    /** The API names a mapping writes or reads that name custom fields. */
    static List<String> customNames(FieldMapping mapping) {
        List<String> names = new ArrayList<>();
        for (FieldRule r : mapping.rules()) {
            r.apiName().filter(n -> !isStandard(n) && !isListStatus(n)).ifPresent(names::add);
        }
        return names;
    }

    static Schema resolve(FieldMapping mapping, ActiveCampaignConfig config, List<AcField> fields, List<AcList> lists) {
        List<PreflightProblem> problems = new ArrayList<>();
        Map<String, String> ids = new LinkedHashMap<>();
        for (FieldRule rule : mapping.rules()) {
            Optional<String> name = rule.apiName().filter(n -> !isStandard(n) && !isListStatus(n));
            if (name.isEmpty()) {
                continue;
            }
            Resolution r = find(name.get(), fields);
            if (r.id().isPresent()) {
                ids.put(name.get(), r.id().get());
            } else {
                problems.add(new PreflightProblem(name.get(), r.problem() + " (mapped from local field "
                        + rule.localField() + "); create it in ActiveCampaign under Settings > Manage Fields, or"
                        + " change the mapping"));
            }
        }
        Resolution local = find(config.localIdField(), fields);
        if (local.id().isEmpty()) {
            problems.add(new PreflightProblem(ActiveCampaignConfig.LOCAL_ID_FIELD, local.problem() + ": the custom"
                    + " field that holds the local ID; create it (a text field) or set local.id.field to its"
                    + " personalization tag"));
        } else {
            mapping.rule(StandardField.LOCAL_ID).flatMap(FieldRule::apiName).map(ids::get)
                    .filter(id -> !id.equals(local.id().get())).ifPresent(id -> problems.add(new PreflightProblem(
                            StandardField.LOCAL_ID.fieldName(), "the mapping writes the local ID to field " + id
                                    + ", but local.id.field '" + config.localIdField() + "' is field " + local.id().get()
                                    + "; lookups by local ID read the latter, so use one field for both")));
        }
        Optional<String> listId = lists.stream().filter(l -> l.id().equals(config.list().trim())).map(AcList::id)
                .findFirst();
        if (listId.isEmpty()) {
            List<AcList> named = lists.stream().filter(l -> l.name().trim().equalsIgnoreCase(config.list().trim()))
                    .toList();
            if (named.size() == 1) {
                listId = Optional.of(named.get(0).id());
            } else {
                problems.add(new PreflightProblem(ActiveCampaignConfig.LIST, (named.isEmpty() ? "no list has the id or"
                        + " name '" + config.list() + "'" : named.size() + " lists are named '" + config.list()
                        + "'; give the list's id instead") + "; the account's lists are "
                        + lists.stream().map(l -> l.id() + " " + l.name()).collect(Collectors.joining(", ", "[", "]"))));
            }
        }
        return new Schema(mapping, ids, local.id(), listId, problems);
    }

    /** A custom field by perstag (with or without the %…% of its merge tag), then by title, then by id. */
    private static Resolution find(String name, List<AcField> fields) {
        String tag = name.trim();
        if (tag.length() > 2 && tag.startsWith("%") && tag.endsWith("%")) {
            tag = tag.substring(1, tag.length() - 1);
        }
        String wanted = tag;
        List<AcField> byTag = fields.stream().filter(f -> f.perstag().equalsIgnoreCase(wanted)).toList();
        if (byTag.size() == 1) {
            return new Resolution(Optional.of(byTag.get(0).id()), "");
        }
        List<AcField> byTitle = fields.stream().filter(f -> f.title().trim().equalsIgnoreCase(wanted)).toList();
        if (byTitle.size() == 1) {
            return new Resolution(Optional.of(byTitle.get(0).id()), "");
        }
        if (byTitle.size() > 1 || byTag.size() > 1) {
            return new Resolution(Optional.empty(), "several custom fields are called '" + name
                    + "'; name it by its personalization tag");
        }
        Optional<AcField> byId = fields.stream().filter(f -> f.id().equals(wanted)).findFirst();
        if (byId.isPresent()) {
            return new Resolution(Optional.of(byId.get().id()), "");
        }
        return new Resolution(Optional.empty(), "no custom contact field has the personalization tag or title '"
                + name + "'" + suggestion(wanted, fields));
    }

    /** The field whose tag or title differs from {@code name} by punctuation, case or a typo or two. */
    private static String suggestion(String name, List<AcField> fields) {
        String squashed = squash(name);
        return fields.stream().filter(f -> close(squash(f.perstag()), squashed) || close(squash(f.title()), squashed))
                .findFirst().map(f -> " (did you mean " + f.perstag() + ", \"" + f.title() + "\"?)").orElse("");
    }

    private static boolean close(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2 || a.isEmpty() || b.isEmpty()) {
            return false;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()] <= 2;
    }

    private static String squash(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    private record Resolution(Optional<String> id, String problem) {
    }
}
