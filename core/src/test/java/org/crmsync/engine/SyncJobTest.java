package org.crmsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.crmsync.SyncDirection;
import org.junit.jupiter.api.Test;

class SyncJobTest {
    private final EngineFixture f = new EngineFixture();

    @Test
    void theOutboundJobIsTheInboundJobWithItsOwnIdAndDirection() {
        SyncJob inbound = f.job(SyncDirection.INBOUND).connectionId("acme-crm").build();

        SyncJob outbound = inbound.toBuilder().id("acme-out").direction(SyncDirection.OUTBOUND).build();

        assertThat(outbound.id()).isEqualTo("acme-out");
        assertThat(outbound.direction()).isEqualTo(SyncDirection.OUTBOUND);
        assertThat(outbound.connectionId()).isEqualTo("acme-crm");
        assertThat(outbound.origin()).isEqualTo(inbound.origin());
        assertThat(inbound.id()).isEqualTo("fake-in");
    }

    @Test
    void aBadIdGivenToTheBuilderIsNamedWithTheOtherProblems() {
        assertThatThrownBy(() -> SyncJob.builder("ok").id("no spaces").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job id 'no spaces'")
                .hasMessageContaining("a connector is required");
    }
}
