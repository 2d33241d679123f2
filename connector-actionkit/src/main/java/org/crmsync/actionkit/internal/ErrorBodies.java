package org.crmsync.actionkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.crmsync.http.Redaction;

/**
 * What an ActionKit error body says, in one line, whatever its shape. ActionKit answers errors in
 * several shapes (reference §1.7, parsons {@code parse_error}, the changelab cassettes):
 * <ul>
 *   <li>{@code {"errors": {"email": ["Conflict on unique key 'email' for value '...'"]}}} (409, 400);
 *   <li>{@code {"errors": ["..."]}};
 *   <li>a dict keyed by the resource: {@code {"petitionpage": {"name": ["Enter a valid 'slug' ..."]}}};
 *   <li>{@code {"page": "Unable to find a page for processing. You sent page=..."}} (action processing);
 *   <li>{@code {"error": "Sorry, this request could not be processed. Please try again later."}} (500,
 *       controlshift/action_kit_rest raise_error.rb);
 *   <li>an empty {@code text/html} body (404, for GET and PATCH alike: requests.html, cassette
 *       rest_patch_petition_page_404.yml).
 * </ul>
 * Values are quoted with emails and phone numbers masked: ActionKit's messages repeat the value
 * refused ("for value 'test@example.com'").
 */
final class ErrorBodies {
    private static final int MAX_CHARS = 400;

    private ErrorBodies() {
    }

    /** The body's errors as {@code field: message; field: message}, or empty when it says nothing readable. */
    static String summary(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        JsonNode json;
        try {
            json = ActionKitJson.MAPPER.readTree(body);
        } catch (IOException e) {
            return ""; // an HTML page: the caller quotes it sanitized
        }
        if (json == null || !json.isObject()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = json.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (key.equals("errors") || key.equals("error")) {
                collect("", v, parts);
            } else {
                collect(key, v, parts);
            }
        }
        String joined = String.join("; ", parts);
        String masked = Redaction.maskPersonalData(joined);
        return masked.length() > MAX_CHARS ? masked.substring(0, MAX_CHARS) + "..." : masked;
    }

    /** Whether the body is action processing's word that no page has the name sent. */
    static boolean unknownPage(String body) {
        if (body == null || body.isBlank()) {
            return false;
        }
        try {
            JsonNode json = ActionKitJson.MAPPER.readTree(body);
            return json != null && json.path("page").isTextual()
                    && json.path("page").asText().startsWith("Unable to find a page");
        } catch (IOException e) {
            return false;
        }
    }

    private static void collect(String prefix, JsonNode v, List<String> parts) {
        if (v.isTextual()) {
            parts.add(prefix.isEmpty() ? v.asText() : prefix + ": " + v.asText());
        } else if (v.isArray()) {
            List<String> texts = new ArrayList<>();
            for (JsonNode item : v) {
                if (item.isValueNode()) {
                    texts.add(item.asText());
                } else {
                    collect(prefix, item, parts);
                }
            }
            if (!texts.isEmpty()) {
                parts.add(prefix.isEmpty() ? String.join(", ", texts) : prefix + ": " + String.join(", ", texts));
            }
        } else if (v.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = v.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                collect(e.getKey(), e.getValue(), parts); // a resource-keyed dict: the field names inside it
            }
        } else if (!v.isNull()) {
            parts.add(prefix.isEmpty() ? v.asText() : prefix + ": " + v.asText());
        }
    }
}
