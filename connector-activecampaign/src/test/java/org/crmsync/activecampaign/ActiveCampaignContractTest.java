package org.crmsync.activecampaign;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.contract.CallFault;
import org.crmsync.testing.contract.ConnectorContract;
import org.crmsync.testing.contract.ContractCrm;
import org.crmsync.testing.contract.Person;

/**
 * The kit's connector contract and fault matrix, run against the ActiveCampaign connector and
 * simulator, as a two-way sync (the system-of-record sync has its own tests: there CRM edits of
 * linked contacts are not pulled, by design).
 */
class ActiveCampaignContractTest extends ConnectorContract {
    /**
     * Batches are 1,000, so the quota test pushes 2,000 (two of them). Every run first reads the account
     * to look up in (100 contacts a call; the preflight's 2 calls before), and that read grows with each
     * day's new contacts: near the end, a day needs about 2 + 20 calls before it writes. 60% of what the
     * 2,000 cost in one run (31 calls) would not pay for that and an import; 90% (27) still stops the first
     * day part way (it pays for the first batch, not the second) and pays a later day's read and a chunk.
     */
    @Override
    protected int quotaPushSize() {
        return 2000;
    }

    @Override
    protected int quotaPercent() {
        return 90;
    }

    @Override
    protected ContractCrm startCrm(MutableClock clock) {
        return new ActiveCampaignContractCrm(ActiveCampaignSimulator.start(clock));
    }

    /** The ActiveCampaign simulator as the contract sees it: contacts, and a list whose status is the opt-in. */
    static final class ActiveCampaignContractCrm implements ContractCrm {
        // import/info is not among them: an import whose contacts read back as sent needs no check (its
        // faults are tested with the imports that do, in ActiveCampaignExportTest).
        static final List<String> KINDS = List.of("GET /fields", "GET /lists", "GET /contacts",
                "POST /contact/sync", "PUT /contacts/{id}", "POST /contactLists", "POST /import/bulk_import");
        private final ActiveCampaignSimulator ac;
        private final String listId;
        private final Map<String, String> config;

        ActiveCampaignContractCrm(ActiveCampaignSimulator ac) {
            this.ac = ac;
            this.listId = ac.addList("Subscribers");
            ac.addSonisFields();
            this.config = new LinkedHashMap<>(ac.config("Subscribers"));
            config.put("http.read.timeout", "300ms");
            // The crash harness runs on real time: imports complete soon and are polled soon.
            ac.importDelay(java.time.Duration.ofMillis(200));
            config.put(ActiveCampaignConfig.IMPORT_POLL_INTERVAL, "200ms");
            // ... and at 50 requests/s on both sides (the limit itself has its own tests), as the demo does.
            ac.rateLimit(50);
            config.put("rate.limit", "50");
        }

        @Override
        public String providerId() {
            return ActiveCampaignConnectorProvider.ID;
        }

        @Override
        public Map<String, String> config() {
            return Map.copyOf(config);
        }

        @Override
        public Connector connector(ConnectorContext context) {
            return ConnectorRegistry.load().create(providerId(), config, context);
        }

        @Override
        public boolean policyFromPreset() {
            return false; // the preset is the system-of-record sync
        }

        @Override
        public String add(Person p) {
            String id = ac.addContact(p.email(), p.firstName(), p.lastName());
            ac.edit(id, "phone", p.phone());
            ac.listStatus(id, listId, p.optedIn() ? 1 : 2);
            return id;
        }

        @Override
        public List<String> addAtOnce(List<Person> people) {
            List<String> ids = new ArrayList<>();
            people.forEach(p -> ids.add(add(p))); // the clock stands still: one updated_timestamp
            return ids;
        }

        @Override
        public void update(String id, Person p) {
            ac.edit(id, "email", p.email()).edit(id, "firstName", p.firstName()).edit(id, "lastName", p.lastName())
                    .edit(id, "phone", p.phone()).listStatus(id, listId, p.optedIn() ? 1 : 2);
        }

        @Override
        public Map<String, Person> people() {
            Map<String, Person> people = new LinkedHashMap<>();
            for (String id : ac.contactIds()) {
                people.put(id, new Person(ac.value(id, "firstName").orElse(null), ac.value(id, "lastName").orElse(null),
                        ac.value(id, "email").orElse(null), ac.value(id, "phone").orElse(null),
                        ac.listStatusOf(id, listId).filter("1"::equals).isPresent()));
            }
            return people;
        }

        @Override
        public Set<String> callKinds() {
            return new LinkedHashSet<>(KINDS);
        }

        @Override
        public Set<CallFault> faults() {
            // An API token does not expire within a run: no session to lose.
            return EnumSet.complementOf(EnumSet.of(CallFault.EXPIRED_SESSION));
        }

        @Override
        public void failNext(String kind, CallFault fault) {
            ac.answerNext(kind, 1, fault.answer());
        }

        @Override
        public void applyThenDropNext(String kind) {
            ac.applyThenDropNext(kind);
        }

        @Override
        public String createKind() {
            return "POST /contact/sync";
        }

        @Override
        public String updateKind() {
            return "POST /contactLists";
        }

        @Override
        public void down(String kind) {
            ac.down(kind);
        }

        @Override
        public int faultsPending() {
            return ac.faultsPending();
        }

        @Override
        public void clearFaults() {
            ac.clearFaults();
        }

        @Override
        public int requests() {
            return ac.totalRequests();
        }

        @Override
        public List<String> secrets() {
            return List.of(ActiveCampaignSimulator.TOKEN);
        }

        @Override
        public void close() {
            ac.close();
        }
    }
}
