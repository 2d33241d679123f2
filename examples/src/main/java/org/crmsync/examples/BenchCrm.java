package org.crmsync.examples;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.crmsync.activecampaign.ActiveCampaignConnectorProvider;
import org.crmsync.activecampaign.ActiveCampaignSimulator;
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

    /** The most API calls 1,000 new opt-ins may take. */
    default int optInCallsBound() {
        return Benchmark.CALLS_BOUND;
    }

    /** The records/s an inbound read of changed contacts could reach at {@code latency}, if this CRM states one. */
    default OptionalDouble inboundBound(Duration latency) {
        return OptionalDouble.empty();
    }

    /** How that bound is reached, for the printout. */
    default String inboundBoundWhy(Duration latency) {
        return "";
    }

    /**
     * How long to let pass before a run on a new connector: a CRM that counts an account's requests per
     * second counts those of the last connector too, which the new one's limiter knows nothing of.
     */
    default Duration pauseBeforeARun() {
        return Duration.ZERO;
    }

    /** Requests the simulator refused for its rate limit (429s) so far, if it has one. */
    default OptionalInt refusedForRate() {
        return OptionalInt.empty();
    }

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

    /**
     * ActiveCampaign: contacts on a list, looked up by reading the account, written by the bulk importer,
     * read back 100 per call; the simulator keeps the account's 5 requests per second strictly.
     */
    final class ActiveCampaign implements BenchCrm {
        /** "Up to 250 contacts may be included in a single request" (bulk-import-contacts). */
        private static final int PER_IMPORT = 250;
        /** ActiveCampaign's page size maximum, 100 (pagination). */
        private static final int PER_PAGE = 100;
        /** "The API is limited to 5 requests per second per account" (rate-limits). */
        private static final int REQUESTS_PER_SECOND = 5;
        private final ActiveCampaignSimulator ac = ActiveCampaignSimulator.start(Clock.systemUTC());
        private final String listId = ac.addList("Subscribers");

        ActiveCampaign() {
            ac.addField("SONIS_ID", "SONIS_ID"); // the default mapping's local-ID field
        }

        @Override
        public String name() {
            return ActiveCampaignConnectorProvider.ID;
        }

        @Override
        public Map<String, String> config() {
            return ac.config("Subscribers");
        }

        @Override
        public Connector connector() {
            return newConnector();
        }

        @Override
        public void add(Person p) {
            String id = ac.addContact(p.email(), p.firstName(), p.lastName());
            ac.edit(id, "phone", p.phone());
            ac.listStatus(id, listId, p.optedIn() ? 1 : 2);
        }

        @Override
        public void latency(Duration late) {
            ac.latency(late);
        }

        /** Latency does not enter while an answer comes within a request's share of the second (200 ms). */
        @Override
        public double outboundBound(Duration latency) {
            return (double) PER_IMPORT * REQUESTS_PER_SECOND;
        }

        @Override
        public String outboundBoundWhy(Duration latency) {
            return PER_IMPORT + " per import call at " + REQUESTS_PER_SECOND + " requests/s, the account's limit (a "
                    + latency.toMillis() + " ms answer fits in a request's 200 ms)";
        }

        @Override
        public OptionalDouble inboundBound(Duration latency) {
            return OptionalDouble.of((double) PER_PAGE * REQUESTS_PER_SECOND);
        }

        @Override
        public String inboundBoundWhy(Duration latency) {
            return PER_PAGE + " per page at " + REQUESTS_PER_SECOND + " requests/s";
        }

        @Override
        public OptionalInt refusedForRate() {
            return OptionalInt.of(ac.throttled());
        }

        /**
         * ActiveCampaign counts the account's requests in any second, and each connector instance has a
         * limiter of its own (one instance per account is the rule): a second between runs on new
         * instances, as one instance would keep.
         */
        @Override
        public Duration pauseBeforeARun() {
            return Duration.ofSeconds(1);
        }

        @Override
        public void close() {
            ac.close();
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

    /**
     * Luminate Online: a look-up by email and a createOrUpdate per new opt-in, an update per opt-out, the
     * nightly changed-records file over FTPS and one getUser per changed constituent (the Constituent API
     * reads and writes one constituent a call; see the README's Luminate section).
     */
    final class Luminate implements BenchCrm {
        private final org.crmsync.luminate.LuminateCrm lum = org.crmsync.luminate.LuminateCrm.start(Clock.systemUTC());

        Luminate() {
            lum.site.exportWindow(Duration.ofDays(30));
        }

        @Override
        public String name() {
            return org.crmsync.luminate.LuminateConnectorProvider.ID;
        }

        @Override
        public Map<String, String> config() {
            return lum.config();
        }

        @Override
        public Connector connector() {
            return newConnector();
        }

        @Override
        public void add(Person p) {
            lum.site.addConstituent(p.firstName(), p.lastName(), p.email(), p.phone(), p.optedIn());
        }

        @Override
        public void latency(Duration late) {
            lum.site.latency(late);
        }

        /** 500: at one record per two 50 ms calls, a push of 5,000 would take eight minutes a round. */
        @Override
        public int pushed() {
            return 500;
        }

        /** The Constituent API's least for 1,000 new opt-ins: a look-up and a create each, and the preflight. */
        @Override
        public int optInCallsBound() {
            return 2 * 1000 + 1;
        }

        /** One record per two calls (its look-up by email, its createOrUpdate), one call in flight. */
        @Override
        public double outboundBound(Duration latency) {
            return 1 / (2 * latency.toNanos() / 1e9);
        }

        @Override
        public String outboundBoundWhy(Duration latency) {
            return "1 per 2 calls / " + latency.toMillis() + " ms";
        }

        @Override
        public void close() {
            lum.close();
        }
    }
}
