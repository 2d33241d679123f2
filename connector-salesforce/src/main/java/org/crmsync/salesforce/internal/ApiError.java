package org.crmsync.salesforce.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One element of a REST error body, which is a JSON array: {@code [{"message":"...","errorCode":
 * "INVALID_SESSION_ID","fields":[...]}]}
 * (https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.html).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ApiError(String message, String errorCode, List<String> fields) {
}
