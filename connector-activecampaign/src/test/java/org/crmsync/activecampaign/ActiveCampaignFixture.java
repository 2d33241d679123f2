package org.crmsync.activecampaign;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.crmsync.SyncDirection;
import org.crmsync.engine.SyncEngine;
import org.crmsync.engine.SyncJob;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.store.InMemoryProfileStore;
import org.crmsync.store.InMemorySyncStateStore;
import org.crmsync.store.LocalChange;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;

/**
 * A student-information system (the local side, system of record), a simulated ActiveCampaign account
 * with the SONIS preset's custom fields and a "Prospects" list, and an engine on a test clock.
 */
final class ActiveCampaignFixture implements AutoCloseable {
    final MutableClock clock = MutableClock.at("2026-03-02T14:00:00Z");
    final RecordingSleeper sleeper = new RecordingSleeper(clock);
    final ActiveCampaignSimulator ac = ActiveCampaignSimulator.start(clock);
    final String listId = ac.addList("Prospects");
    final Map<String, String> fieldIds = ac.addSonisFields();
    final InMemoryProfileStore store = new InMemoryProfileStore(clock);
    final InMemorySyncStateStore state = new InMemorySyncStateStore();
    final SyncEngine engine = new SyncEngine(clock);
    final Map<String, String> config = new LinkedHashMap<>(ac.config("Prospects"));
    FieldMapping mapping = ActiveCampaignMapping.sonisPreset();
    SyncPolicy policy = systemOfRecord();
    private Connector connector;

    static SyncPolicy systemOfRecord() {
        return new ActiveCampaignConnectorProvider().policyPreset().build();
    }

    Connector connector() {
        if (connector == null) {
            connector = ConnectorRegistry.load().create(ActiveCampaignConnectorProvider.ID, config,
                    ConnectorContext.forLocalSimulator(clock, sleeper));
        }
        return connector;
    }

    SyncJob.Builder job(SyncDirection direction) {
        return SyncJob.builder(direction == SyncDirection.INBOUND ? "ac-import" : "ac-export").connector(connector())
                .profiles(store).state(state).mapping(mapping).policy(policy).direction(direction);
    }

    /** The seed's "Export Name Records to Active Campaign": every profile (or those a filter picks). */
    SyncReport export() {
        return engine.run(job(SyncDirection.OUTBOUND).fullExport(true).build());
    }

    /** The seed's "Import Active Campaign Contacts". */
    SyncReport importContacts() {
        return engine.run(job(SyncDirection.INBOUND)
                .inboundDefault(ActiveCampaignMapping.SONIS_CREATED_BY, ActiveCampaignMapping.CREATED_BY_ACTIVECAMPAIGN)
                .build());
    }

    /** A student with every field of the preset. */
    Profile student(int n) {
        String id = String.format("S%05d", n);
        Profile p = Profile.builder().localId(id).firstName("First" + n).lastName("Last" + n)
                .email("student" + n + "@example.edu").phoneNumber(String.format("+1202555%04d", n % 10_000))
                .street1(n + " College Ave").street2("Apt " + (n % 40)).city("Dayton").state("OH").postalCode("45469")
                .optInStatus(OptInStatus.OPTED_IN)
                .extraField("address.add_add2", "Building C")
                .extraField("prospect.hs_grad_year", Integer.toString(2020 + n % 8))
                .extraField("name.nickname", "Nick" + n)
                .extraField("name.birthdate", "2008-01-20")
                .extraField("prospect.status", n % 5 == 0 ? "IN" : "AP")
                .extraField("approg.prg_cod", "BIO")
                .extraField("approg.sch_year", "2027")
                .extraField("approg.semester", "FA")
                .extraField("prospect.undergrd_attnd", "Dayton High")
                .build();
        return store.create(p, Optional.empty(), LocalChange.APPLICATION);
    }

    Profile profile(String localId) {
        return store.findByLocalId(localId).orElseThrow();
    }

    String contactOf(String localId) {
        return profile(localId).constituentId().orElseThrow(() -> new AssertionError(localId + " is not linked"));
    }

    @Override
    public void close() {
        if (connector != null) {
            connector.close();
        }
        ac.close();
    }
}
