package org.crmsync.salesforce.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A token endpoint answer: {@code access_token} (a session id), {@code instance_url} (where data calls
 * go), {@code id} (identity URL), {@code token_type} ({@code Bearer}), {@code issued_at} (epoch millis as
 * a string) and {@code signature}. No refresh token is issued in either flow we use.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record TokenResponse(@JsonProperty("access_token") String accessToken,
        @JsonProperty("instance_url") String instanceUrl, @JsonProperty("id") String identityUrl,
        @JsonProperty("token_type") String tokenType, @JsonProperty("issued_at") String issuedAt) {
    /** The access token is a session id: never printed. */
    @Override
    public String toString() {
        return "TokenResponse{instanceUrl=" + instanceUrl + ", tokenType=" + tokenType + ", issuedAt=" + issuedAt + "}";
    }
}
