package org.crmsync.salesforce.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A token endpoint error (HTTP 400, RFC 6749 style), e.g. {@code {"error":"invalid_grant",
 * "error_description":"authentication failure"}} for a bad user name, password or security token.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record OAuthError(@JsonProperty("error") String error, @JsonProperty("error_description") String description) {
}
