package org.crmsync.salesforce.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One page of a SOQL query: {@code totalSize} counts all pages, {@code nextRecordsUrl} is present only
 * while {@code done} is false. Records carry {@code attributes} and the selected fields (JSON null when
 * empty).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record QueryResult(long totalSize, boolean done, String nextRecordsUrl, List<ObjectNode> records) {
    public QueryResult {
        records = records == null ? List.of() : records;
    }
}
