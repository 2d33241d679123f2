package org.crmsync.salesforce.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A Composite body: {@code {"allOrNone":false,"compositeRequest":[{"method":"GET","url":
 * "/services/data/vNN.N/query/?q=...","referenceId":"q0"}]}}. Salesforce runs the subrequests and answers
 * them all in one response, and "the entire series of requests counts as a single call toward your API
 * limits"; a call holds up to 25 subrequests, of which up to 5 may be queries or sObject Collections
 * ("Send Multiple Requests Using Composite" and "Composite Request Body", REST API Developer Guide,
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html,
 * https://developer.salesforce.com/docs/platform/api-rest/guide/requests-composite.html).
 */
record CompositeRequest(boolean allOrNone, List<Subrequest> compositeRequest) {
    CompositeRequest {
        compositeRequest = List.copyOf(compositeRequest);
    }

    /**
     * One subrequest. {@code httpHeaders} may not name Accept, Authorization or Content-Type, which every
     * subrequest takes from the top-level request.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Subrequest(String method, String url, String referenceId, Map<String, String> httpHeaders) {
        Subrequest {
            httpHeaders = httpHeaders == null ? Map.of() : Map.copyOf(httpHeaders);
        }
    }
}
