package org.crmsync.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InMemorySyncStateStoreTest extends SyncStateStoreContract {
    @Override
    SyncStateStore newStore(int keepReports) {
        return new InMemorySyncStateStore(keepReports);
    }

    @Test
    void keepReportsMustBePositive() {
        assertThatThrownBy(() -> new InMemorySyncStateStore(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
