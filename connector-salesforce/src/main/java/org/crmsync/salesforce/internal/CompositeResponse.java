package org.crmsync.salesforce.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A Composite answer: {@code {"compositeResponse":[{"body":...,"httpHeaders":{},"httpStatusCode":200,
 * "referenceId":"q0"}]}}. The top-level request answers 200 whatever its subrequests did; each result
 * carries its own status, and a failed subrequest's body is the REST error array ("Composite Response
 * Body", REST API Developer Guide,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/responses_composite.htm).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record CompositeResponse(List<Result> compositeResponse) {
    CompositeResponse {
        compositeResponse = compositeResponse == null ? List.of() : compositeResponse;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Result(JsonNode body, int httpStatusCode, String referenceId) {
    }
}
