package org.crmsync.actionkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A resource's schema ({@code GET /rest/v1/{resource}/schema/}): its fields, which of them may be
 * filtered with which operators, and which may order a collection. "You can filter on the fields listed
 * in 'filtering' in the schema. Keys are the field name, values are the list of valid operators. 'all'
 * means any operator" (overview.html). The schema comes from Tastypie, which may also print its
 * constants {@code 1} (ALL) and {@code 2} (ALL_WITH_RELATIONS); both are read as any operator.
 */
public record ResourceSchema(Set<String> fields, Map<String, Set<String>> filtering, Set<String> ordering) {
    private static final String ANY = "*";

    public ResourceSchema {
        fields = Set.copyOf(fields);
        filtering = Map.copyOf(filtering);
        ordering = Set.copyOf(ordering);
    }

    static ResourceSchema of(JsonNode schema) {
        Set<String> fields = new LinkedHashSet<>();
        schema.path("fields").fieldNames().forEachRemaining(fields::add);
        Map<String, Set<String>> filtering = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = schema.path("filtering").properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            Set<String> ops = new LinkedHashSet<>();
            JsonNode v = e.getValue();
            if (v.isArray()) {
                v.forEach(op -> ops.add(op.asText().toLowerCase(Locale.ROOT)));
            } else if (v.isNumber() || v.isTextual() && v.asText().toLowerCase(Locale.ROOT).startsWith("all")) {
                ops.add(ANY);
            } else if (v.isTextual()) {
                ops.add(v.asText().toLowerCase(Locale.ROOT));
            }
            filtering.put(e.getKey(), ops);
        }
        Set<String> ordering = new LinkedHashSet<>();
        schema.path("ordering").forEach(o -> ordering.add(o.asText()));
        return new ResourceSchema(fields, filtering, ordering);
    }

    /** Whether {@code field} may be filtered with {@code operator} ({@code exact} for a plain {@code field=}). */
    public boolean filters(String field, String operator) {
        Set<String> ops = filtering.get(field);
        return ops != null && (ops.contains(ANY) || ops.contains(operator.toLowerCase(Locale.ROOT)));
    }

    /** Whether a collection may be ordered by {@code field}. */
    public boolean orders(String field) {
        return ordering.contains(field);
    }

    /** What the schema lacks of what a use of it needs, for a preflight message: {@code updated_at__gte, ordering by id}. */
    public List<String> lacking(List<String[]> filters, List<String> orderings) {
        List<String> missing = new java.util.ArrayList<>();
        for (String[] f : filters) {
            if (!filters(f[0], f[1])) {
                missing.add(f[0] + (f[1].equals("exact") ? "" : "__" + f[1]));
            }
        }
        for (String o : orderings) {
            if (!orders(o)) {
                missing.add("ordering by " + o);
            }
        }
        return missing;
    }
}
