package org.crmsync.salesforce.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * {@code GET sobjects/Contact/describe}: the object's fields and what can be done with each. A picklist
 * field lists its values ({@code picklistValues: [{"value", "label", "active", "defaultValue", ...}]})
 * and says whether it is restricted ({@code restrictedPicklist}: only those values are accepted, by
 * the API too; any other is the record error INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST). Sources: the
 * describe field properties (DescribeSObjectResult Field, PicklistEntry) in the SOAP API Developer
 * Guide, https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm,
 * and "API Field Properties", https://developer.salesforce.com/docs/platform/object-reference/guide/access-for-fields.html.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DescribeResult(String name, List<Field> fields) {
    public DescribeResult {
        fields = fields == null ? List.of() : fields;
    }

    /** One field: API name, label, type ({@code string}, {@code boolean}, {@code email}, ...), and permissions. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Field(String name, String label, String type, int length, boolean createable, boolean updateable,
            boolean nillable, boolean filterable, List<PicklistValue> picklistValues, boolean restrictedPicklist) {
        public Field {
            picklistValues = picklistValues == null ? List.of() : List.copyOf(picklistValues);
        }

        /** The values a picklist offers now: its active values, in describe's order. */
        public List<String> activePicklistValues() {
            return picklistValues.stream().filter(PicklistValue::active).map(PicklistValue::value)
                    .filter(v -> v != null).toList();
        }
    }

    /** One picklist value: the API value written to records, its label, and whether it is active. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PicklistValue(String value, String label, boolean active) {
    }
}
