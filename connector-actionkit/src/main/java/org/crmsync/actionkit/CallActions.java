package org.crmsync.actionkit;

import org.crmsync.activity.ActivityMapping;

/** mConnect calls as actions on ActionKit call pages. */
final class CallActions {
    static final String TYPE = "call";

    private CallActions() {
    }

    static ActivityMapping defaultMapping() {
        return ActivityMapping.builder().type(TYPE, TYPE).map(TYPE, "mconnect_key", CallPages.MCONNECT_FIELD)
                .map(TYPE, "alert_id", "page").map(TYPE, "target", "target").required(TYPE, "mconnect_key").build();
    }
}
