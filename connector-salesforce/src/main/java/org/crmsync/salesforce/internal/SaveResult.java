package org.crmsync.salesforce.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One record's result in an sObject Collections answer, in request order: {@code {"id":"003...",
 * "success":true,"errors":[]}}, or {@code success:false} with errors that name the problem in {@code
 * statusCode} (not {@code errorCode}, which is the whole-request error shape).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SaveResult(String id, boolean success, List<Error> errors) {
    public SaveResult {
        errors = errors == null ? List.of() : errors;
    }

    /** {@code {"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [LastName]","fields":["LastName"]}} */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Error(String statusCode, String message, List<String> fields) {
        public Error {
            fields = fields == null ? List.of() : fields;
        }
    }
}
