package org.crmsync.everyaction;

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

/** The kit's connector contract, fault matrix and crash harness, run against the EveryAction connector and simulator. */
class EveryActionContractTest extends ConnectorContract {
    @Override
    protected ContractCrm startCrm(MutableClock clock) {
        return new EveryActionContractCrm(EveryActionSimulator.start(clock));
    }

    /** The simulator as the contract sees it: people with a cell phone whose SMS opt-in is the opt-in. */
    static final class EveryActionContractCrm implements ContractCrm {
        // No GET /people/{vanId}: with export.fields (below) the inbound reads nobody, and a write names the
        // phone it sets, so the contract's runs never read a person; the module's inbound tests fault it.
        static final List<String> KINDS = List.of("GET /apiKeyProfiles", "POST /people/findOrCreate",
                "POST /people/{vanId}", "POST /changedEntityExportJobs",
                "GET /changedEntityExportJobs/{id}", "GET /files",
                "GET /changedEntityExportJobs/fields/{resourceType}");
        private final EveryActionSimulator van;
        private final Map<String, String> config;

        EveryActionContractCrm(EveryActionSimulator van) {
            this.van = van;
            this.config = new LinkedHashMap<>(van.config());
            config.put("http.read.timeout", "300ms");
            // Small files, so a mass change spans several of them (VAN splits at fileSizeKbLimit).
            config.put(EveryActionConfig.EXPORT_FILE_SIZE_KB, "1");
            // The phone's details from the export (the simulator's field names), so a daily quota of a few
            // calls still reads whole files: the contract's quota case cuts a pass at a few calls.
            config.put(EveryActionConfig.EXPORT_FIELDS, "cellPhone=CellPhone, smsOptInStatus=CellPhoneSmsOptInStatus,"
                    + " email=Email");
        }

        @Override
        public String providerId() {
            return EveryActionConnectorProvider.ID;
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
        public String add(Person p) {
            return Long.toString(van.addPerson(p.firstName(), p.lastName(), p.email(), p.phone(), p.optedIn() ? "I" : "O"));
        }

        @Override
        public List<String> addAtOnce(List<Person> people) {
            List<String> ids = new ArrayList<>();
            people.forEach(p -> ids.add(add(p))); // the clock stands still: one change time
            return ids;
        }

        @Override
        public void update(String id, Person p) {
            long vanId = Long.parseLong(id);
            EveryActionSimulator.SimPerson now = van.find(vanId).orElseThrow();
            van.edit(vanId, "firstName", p.firstName()).edit(vanId, "lastName", p.lastName()).edit(vanId, "email",
                    p.email());
            if (now.cellPhone() == null || !now.cellPhone().equals(p.phone())) {
                van.edit(vanId, "cellPhone", p.phone());
            }
            van.edit(vanId, "sms", p.optedIn() ? "I" : "O");
        }

        @Override
        public Map<String, Person> people() {
            Map<String, Person> people = new LinkedHashMap<>();
            for (EveryActionSimulator.SimPerson p : van.all()) {
                people.put(Long.toString(p.vanId()), new Person(p.firstName(), p.lastName(), p.email(), p.cellPhone(),
                        "I".equals(p.smsOptIn())));
            }
            return people;
        }

        @Override
        public Set<String> callKinds() {
            return new LinkedHashSet<>(KINDS);
        }

        @Override
        public Set<CallFault> faults() {
            // An API key does not expire within a run: there is no session to lose.
            return EnumSet.complementOf(EnumSet.of(CallFault.EXPIRED_SESSION));
        }

        @Override
        public void failNext(String kind, CallFault fault) {
            van.answerNext(kind, 1, fault.answer());
        }

        @Override
        public void applyThenDropNext(String kind) {
            van.applyThenDropNext(kind);
        }

        @Override
        public String createKind() {
            return "POST /people/findOrCreate";
        }

        @Override
        public String updateKind() {
            return "POST /people/{vanId}";
        }

        @Override
        public void down(String kind) {
            van.down(kind);
        }

        @Override
        public int faultsPending() {
            return van.faultsPending();
        }

        @Override
        public void clearFaults() {
            van.clearFaults();
        }

        @Override
        public int requests() {
            return van.totalRequests();
        }

        @Override
        public List<String> secrets() {
            return List.of(EveryActionSimulator.API_KEY);
        }

        @Override
        public void close() {
            van.close();
        }
    }
}
