package org.crmsync.examples;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crmsync.everyaction.EveryActionConnectorProvider;
import org.crmsync.everyaction.EveryActionSimulator;
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

    /** How many new opt-ins the timed push sends: fewer for a CRM that takes one record per call. */
    default int pushed() {
        return Benchmark.PUSHED;
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

    /**
     * EveryAction: one findOrCreate per new opt-in, a read and an update per opt-out, a changed-entity
     * export job and one person read per changed person with a phone (VAN has no batch write or read of
     * people; see the README's EveryAction section).
     */
    final class EveryAction implements BenchCrm {
        private final EveryActionSimulator van = EveryActionSimulator.start();

        @Override
        public String name() {
            return EveryActionConnectorProvider.ID;
        }

        @Override
        public Map<String, String> config() {
            return van.config();
        }

        @Override
        public Connector connector() {
            return newConnector();
        }

        @Override
        public void add(Person p) {
            van.addPerson(p.firstName(), p.lastName(), p.email(), p.phone(), p.optedIn() ? "I" : "O");
        }

        @Override
        public void latency(Duration late) {
            van.latency(late);
        }

        /** 500: at one record per 50 ms call, a push of 5,000 would take four minutes a round. */
        @Override
        public int pushed() {
            return 500;
        }

        /** One record per call, one call in flight. */
        @Override
        public double outboundBound(Duration latency) {
            return 1 / (latency.toNanos() / 1e9);
        }

        @Override
        public String outboundBoundWhy(Duration latency) {
            return "1 per call / " + latency.toMillis() + " ms";
        }

        @Override
        public void close() {
            van.close();
        }
    }
}
