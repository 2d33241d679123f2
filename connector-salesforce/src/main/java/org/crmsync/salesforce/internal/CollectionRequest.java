package org.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * An sObject Collections body: {@code {"allOrNone":false,"records":[{"attributes":{"type":"Contact"},
 * ...}]}}. With {@code allOrNone} false each record succeeds or fails on its own.
 */
public record CollectionRequest(boolean allOrNone, List<ObjectNode> records) {
    public CollectionRequest {
        records = List.copyOf(records);
    }
}
