package org.crmsync.examples;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.Authority;
import org.crmsync.policy.SyncMode;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.salesforce.SalesforceConnectorProvider;
import org.crmsync.salesforce.SalesforceSimulator;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.spi.Sleeper;
import org.crmsync.testing.contract.Person;

/**
 * A CRM simulator as the {@link Benchmark} drives it: people added as a CRM user would, answers made
 * late, and a new connector on it through its provider (the wall clock, real waits), with the
 * connector's own defaults except a read timeout long enough for a loaded machine.
 */
interface BenchCrm extends AutoCloseable {
    /** The provider id. */
    String name();

    /** A new connector on this simulator: its first run logs in and runs its preflight. */
    Connector connector();

    /** Adds a person to the CRM, as a CRM user would. */
    void add(Person person);

    /** Every answer this much later from now on. */
    void latency(Duration late);

    /** The records/s an outbound push of new opt-ins could reach at {@code latency}: the bound. */
    double outboundBound(Duration latency);

    /** How that bound is reached, for the printout. */
    String outboundBoundWhy(Duration latency);

    /** The most API calls 1,000 new opt-ins may take. */
    default int optInCallsBound() {
        return Benchmark.CALLS_BOUND;
    }

    default FieldMapping mapping() {
        return provider().defaultMapping(config());
    }

    /** The provider's preset as a liberal two-way sync with a default opt-in path. */
    default SyncPolicy policy() {
        return provider().policyPreset().mode(SyncMode.LIBERAL).authority(Authority.TWO_WAY).defaultOptInPath("web")
                .build();
    }

    Map<String, String> config();

    default ConnectorProvider provider() {
        return ConnectorRegistry.load().provider(name());
    }

    default Connector newConnector() {
        Map<String, String> config = new LinkedHashMap<>(config());
        config.put("http.read.timeout", "60s");
        return ConnectorRegistry.load().create(name(), config,
                ConnectorContext.forLocalSimulator(Clock.systemUTC(), Sleeper.SYSTEM));
    }

    @Override
    void close();

    /**
     * ActionKit, with an Import page: new opt-ins uploaded 500 a file, then a phone create each (no phone
     * column is documented for uploads), so a push is bound by the phone creates in flight at once.
     */
    final class ActionKit implements BenchCrm {
        /** Twice the least the upload API allows for 1,000 new opt-ins with their phones (about 1,012 calls). */
        private static final int OPT_IN_CALLS_BOUND = 2 * 1_012;
        private final org.crmsync.actionkit.ActionKitSimulator ak = org.crmsync.actionkit.ActionKitSimulator.start();

        ActionKit() {
            ak.addPage("bench_import", "Import", Map.of());
        }

        @Override
        public String name() {
            return org.crmsync.actionkit.ActionKitConnectorProvider.ID;
        }

        @Override
        public Map<String, String> config() {
            Map<String, String> c = new LinkedHashMap<>(ak.connectorConfig());
            c.put(org.crmsync.actionkit.ActionKitConfig.UPLOAD_PAGE, "bench_import");
            return c;
        }

        @Override
        public Connector connector() {
            return newConnector();
        }

        @Override
        public void add(Person p) {
            ak.addUser(Map.of("first_name", p.firstName(), "last_name", p.lastName(), "email", p.email(), "country",
                    "United States", "mobile_phone", p.phone(), "user_mobile_subscriber", Boolean.toString(p.optedIn())));
        }

        @Override
        public void latency(Duration late) {
            ak.latency(late);
        }

        /** One phone create per new opt-in, {@code requests.in.flight} (4 by default) at once. */
        @Override
        public double outboundBound(Duration latency) {
            return 4 / (latency.toNanos() / 1e9);
        }

        @Override
        public String outboundBoundWhy(Duration latency) {
            return "4 phone creates in flight / " + latency.toMillis() + " ms";
        }

        @Override
        public int optInCallsBound() {
            return OPT_IN_CALLS_BOUND;
        }

        @Override
        public void close() {
            ak.close();
        }
    }

    /** Salesforce: Contacts, SOQL look-ups in Composite requests, sObject Collections writes. */
    final class Salesforce implements BenchCrm {
        /** sObject Collections: at most 200 records per create or update call. */
        private static final int PER_WRITE_CALL = 200;
        private final SalesforceSimulator sf = SalesforceSimulator.start();

        @Override
        public String name() {
            return SalesforceConnectorProvider.ID;
        }

        @Override
        public Map<String, String> config() {
            return sf.connectorConfig();
        }

        @Override
        public Connector connector() {
            return newConnector();
        }

        @Override
        public void add(Person p) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("FirstName", p.firstName());
            c.put("LastName", p.lastName());
            c.put("Email", p.email());
            c.put("MobilePhone", p.phone());
            c.put("Mobile_Subscriber__c", p.optedIn());
            sf.addContact(c);
        }

        @Override
        public void latency(Duration late) {
            sf.latency(late);
        }

        @Override
        public double outboundBound(Duration latency) {
            return PER_WRITE_CALL / (latency.toNanos() / 1e9);
        }

        @Override
        public String outboundBoundWhy(Duration latency) {
            return PER_WRITE_CALL + " per call / " + latency.toMillis() + " ms";
        }

        @Override
        public void close() {
            sf.close();
        }
    }
}
