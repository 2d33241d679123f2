package org.crmsync.salesforce;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crmsync.salesforce.SalesforceSimulator.Kind;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.contract.CallFault;
import org.crmsync.testing.contract.ConnectorContract;
import org.crmsync.testing.contract.ContractCrm;
import org.crmsync.testing.contract.Person;

/** The kit's connector contract and fault matrix, run against the Salesforce connector and simulator. */
class SalesforceContractTest extends ConnectorContract {
    @Override
    protected ContractCrm startCrm(MutableClock clock) {
        return new SalesforceContractCrm(SalesforceSimulator.start(clock));
    }

    /** The Salesforce simulator as the contract sees it: Contacts with the seed's default fields. */
    static final class SalesforceContractCrm implements ContractCrm {
        private final SalesforceSimulator sf;
        private final Map<String, String> config;

        SalesforceContractCrm(SalesforceSimulator sf) {
            this.sf = sf;
            this.config = new LinkedHashMap<>(sf.connectorConfig());
            config.put(SalesforceConfig.QUERY_BATCH_SIZE, "200"); // Salesforce's smallest page
            config.put("http.read.timeout", "300ms");
        }

        @Override
        public String providerId() {
            return SalesforceConnectorProvider.ID;
        }

        @Override
        public Map<String, String> config() {
            return Map.copyOf(config);
        }

        @Override
        public Connector connector(ConnectorContext context) {
            return ConnectorRegistry.load().create(providerId(), config, context);
        }

        private static Map<String, Object> fields(Person p) {
            return SalesforceFixture.contact(p.firstName(), p.lastName(), p.email(), p.phone(), p.optedIn());
        }

        @Override
        public String add(Person person) {
            return sf.addContact(fields(person));
        }

        @Override
        public List<String> addAtOnce(List<Person> people) {
            List<String> ids = new ArrayList<>();
            people.forEach(p -> ids.add(sf.addContact(fields(p)))); // the clock stands still: one SystemModstamp
            return ids;
        }

        @Override
        public void update(String id, Person person) {
            sf.updateContact(id, fields(person));
        }

        @Override
        public Map<String, Person> people() {
            Map<String, Person> people = new LinkedHashMap<>();
            for (Map<String, Object> c : sf.contacts()) {
                people.put((String) c.get("Id"), new Person((String) c.get("FirstName"), (String) c.get("LastName"),
                        (String) c.get("Email"), (String) c.get("MobilePhone"),
                        Boolean.TRUE.equals(c.get("Mobile_Subscriber__c"))));
            }
            return people;
        }

        @Override
        public Set<String> callKinds() {
            Set<String> kinds = new LinkedHashSet<>();
            for (Kind k : List.of(Kind.LOGIN, Kind.DESCRIBE, Kind.QUERY, Kind.QUERY_MORE, Kind.COMPOSITE, Kind.CREATE,
                    Kind.UPDATE)) {
                kinds.add(k.name());
            }
            return kinds;
        }

        @Override
        public Set<CallFault> faults() {
            return EnumSet.allOf(CallFault.class);
        }

        @Override
        public void failNext(String kind, CallFault fault) {
            if (fault == CallFault.EXPIRED_SESSION) {
                sf.expireSessions(); // the next data call gets 401 INVALID_SESSION_ID
            } else {
                sf.answerNext(Kind.valueOf(kind), 1, fault.answer());
            }
        }

        @Override
        public void applyThenDropNext(String kind) {
            sf.dropConnectionAfterNextWrite();
        }

        @Override
        public String createKind() {
            return Kind.CREATE.name();
        }

        @Override
        public String updateKind() {
            return Kind.UPDATE.name();
        }

        @Override
        public void down(String kind) {
            sf.failNext(Kind.valueOf(kind), 1_000_000);
        }

        @Override
        public int faultsPending() {
            return sf.scriptedAnswersPending();
        }

        @Override
        public void clearFaults() {
            sf.clearFaults();
        }

        @Override
        public int requests() {
            return sf.totalRequests();
        }

        @Override
        public List<String> secrets() {
            List<String> secrets = new ArrayList<>(List.of(SalesforceSimulator.PASSWORD,
                    SalesforceSimulator.SECURITY_TOKEN, SalesforceSimulator.CLIENT_SECRET));
            secrets.addAll(sf.issuedAccessTokens());
            return secrets;
        }

        @Override
        public void close() {
            sf.close();
        }
    }
}
