package org.crmsync.luminate.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Luminate's JSON, as its answers have it (reference notes §3.1 and §7): every scalar is a string
 * ({@code "cons_id":"1001172"}); an empty field is {@code null} or, in some answers, {@code {}}; a list of
 * one comes back as the object itself rather than an array of one (client code wraps every list with
 * {@code ensureArray}; the vendor's text does not say so, so both forms are taken).
 */
public final class LuminateJson {
    private LuminateJson() {
    }

    /** A scalar's text; empty for a missing node, {@code null}, {@code {}}, {@code []} or blank text. */
    public static Optional<String> text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) {
            return Optional.empty();
        }
        String v = node.asText();
        return v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    /** A list as Luminate sends it: an array, a lone object (a list of one), or nothing. */
    public static List<JsonNode> list(JsonNode node) {
        List<JsonNode> items = new ArrayList<>();
        if (node == null || node.isNull() || node.isMissingNode()) {
            return items;
        }
        if (node.isArray()) {
            node.forEach(items::add);
        } else if (node.isObject() && node.size() > 0) {
            items.add(node);
        }
        return items;
    }

    /**
     * A {@code getConsResponse} as flat fields by the dotted names Luminate uses to set them ("Dots in the name
     * reflect the structure of nested elements", listUserFields_method.html): {@code name.first},
     * {@code primary_address.city}, {@code email.primary_address}; custom fields, which come as {@code
     * "custom":{"boolean":[{"id":"custom_boolean50","content":"true"}]}}, by their ids. Empty values are empty
     * strings; lists other than the custom ones are left out.
     */
    public static Map<String, String> flatten(JsonNode constituent) {
        Map<String, String> fields = new LinkedHashMap<>();
        flatten("", constituent, fields);
        return fields;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> fields) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = prefix + e.getKey();
            JsonNode value = e.getValue();
            if (prefix.isEmpty() && e.getKey().equals("custom")) {
                custom(value, fields);
            } else if (value.isObject() && value.size() > 0) {
                flatten(name + ".", value, fields);
            } else if (!value.isArray()) {
                fields.put(name, text(value).orElse(""));
            }
        }
    }

    private static void custom(JsonNode custom, Map<String, String> fields) {
        if (custom == null || !custom.isObject()) {
            return;
        }
        custom.properties().forEach(type -> {
            for (JsonNode item : list(type.getValue())) {
                text(item.get("id")).ifPresent(id -> fields.put(id, text(item.get("content")).orElse("")));
            }
        });
    }
}
