package org.crmsync.salesforce.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** {@code GET sobjects/Contact/describe}: the object's fields and what can be done with each. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DescribeResult(String name, List<Field> fields) {
    public DescribeResult {
        fields = fields == null ? List.of() : fields;
    }

    /** One field: API name, label, type ({@code string}, {@code boolean}, {@code email}, ...), and permissions. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Field(String name, String label, String type, int length, boolean createable, boolean updateable,
            boolean nillable, boolean filterable) {
    }
}
