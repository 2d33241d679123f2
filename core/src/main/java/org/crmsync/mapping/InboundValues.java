package org.crmsync.mapping;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crmsync.spi.FieldValues;

/**
 * A remote record's fields mapped to local field names.
 *
 * @param values local field name to converted, non-blank value
 * @param blanks local fields whose remote value was blank and whose rule says a blank clears
 * @param missingRequired required local fields that had no value, in mapping order
 * @param problems values that could not be converted, each naming the field
 */
public record InboundValues(
        Map<String, String> values, Set<String> blanks, List<String> missingRequired, List<String> problems) {
    public InboundValues {
        values = values instanceof FieldValues ? values : Map.copyOf(values); // FieldValues: immutable already
        blanks = Set.copyOf(blanks);
        missingRequired = List.copyOf(missingRequired);
        problems = List.copyOf(problems);
    }
}
