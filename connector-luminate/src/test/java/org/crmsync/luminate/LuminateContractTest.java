package org.crmsync.luminate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crmsync.activity.Activity;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.contract.CallFault;
import org.crmsync.testing.contract.ConnectorContract;
import org.crmsync.testing.contract.ContractCrm;
import org.crmsync.testing.contract.Person;

/** The kit's connector contract, fault matrix and crash harness, run against the Luminate connector, simulator and FTPS host. */
class LuminateContractTest extends ConnectorContract {
    @Override
    protected ContractCrm startCrm(MutableClock clock) {
        return new LuminateContractCrm(LuminateCrm.start(clock));
    }

    /**
     * Luminate reads each changed constituent with its own getUser call (the Constituent API has no read of
     * many ids), so a day pays for one record per call: a few more calls a day than the smallest cut.
     */
    @Override
    protected long sharedTimestampQuota(long smallestCut) {
        return smallestCut + 25;
    }

    /** The simulator as the contract sees it: constituents whose custom_boolean50 is the opt-in. */
    static final class LuminateContractCrm implements ContractCrm {
        static final List<String> KINDS = List.of("SRConsAPI listUserFields", "SRConsAPI getUser",
                "SRConsAPI createOrUpdate", "SRConsAPI update");
        private final LuminateCrm crm;
        private final Map<String, String> config;

        LuminateContractCrm(LuminateCrm crm) {
            this.crm = crm;
            // The file keeps a month of changes here, so runs days apart still find what they missed.
            crm.site.exportWindow(Duration.ofDays(30));
            this.config = new LinkedHashMap<>(crm.config());
            config.put("http.read.timeout", "300ms");
        }

        @Override
        public String providerId() {
            return LuminateConnectorProvider.ID;
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
            return Long.toString(crm.site.addConstituent(p.firstName(), p.lastName(), p.email(), p.phone(), p.optedIn()));
        }

        @Override
        public List<String> addAtOnce(List<Person> people) {
            crm.site.publishOnChange(false);
            List<String> ids = new ArrayList<>();
            people.forEach(p -> ids.add(add(p)));
            crm.site.publishOnChange(true);
            crm.site.publish();
            return ids;
        }

        @Override
        public void update(String id, Person p) {
            long consId = Long.parseLong(id);
            crm.site.edit(consId, "name.first", p.firstName()).edit(consId, "name.last", p.lastName())
                    .edit(consId, "primary_email", p.email()).edit(consId, "mobile_phone", p.phone())
                    .edit(consId, LuminateSimulator.OPTIN_FIELD, Boolean.toString(p.optedIn()));
        }

        @Override
        public Map<String, Person> people() {
            Map<String, Person> people = new LinkedHashMap<>();
            for (LuminateSimulator.Constituent c : crm.site.all()) {
                people.put(Long.toString(c.consId), new Person(c.get("name.first"), c.get("name.last"),
                        c.get("primary_email"), c.get("mobile_phone"), "true".equals(c.get(LuminateSimulator.OPTIN_FIELD))));
            }
            return people;
        }

        @Override
        public Set<String> callKinds() {
            return new LinkedHashSet<>(KINDS);
        }

        @Override
        public Set<CallFault> faults() {
            // The server API sends the credentials with every call: there is no session to lose.
            return EnumSet.complementOf(EnumSet.of(CallFault.EXPIRED_SESSION));
        }

        @Override
        public void failNext(String kind, CallFault fault) {
            crm.site.answerNext(kind, 1, fault.answer());
        }

        @Override
        public void applyThenDropNext(String kind) {
            crm.site.applyThenDropNext(kind);
        }

        @Override
        public String createKind() {
            return "SRConsAPI createOrUpdate";
        }

        @Override
        public String updateKind() {
            return "SRConsAPI update";
        }

        @Override
        public void down(String kind) {
            crm.site.down(kind);
        }

        @Override
        public int faultsPending() {
            return crm.site.faultsPending();
        }

        @Override
        public void clearFaults() {
            crm.site.clearFaults();
        }

        @Override
        public Optional<Activity> sampleActivity(String key, String localId) {
            return Optional.of(Activity.of(key, Activities.CALL, localId, java.time.Instant.parse("2026-06-01T07:30:00Z"),
                    Map.of("alert_id", "41", "recipient_id", "S000148")));
        }

        @Override
        public long activitiesWithKey(String key) {
            return crm.site.actions().stream().filter(a -> a.getOrDefault("note", "").startsWith("call " + key + ";"))
                    .count();
        }

        @Override
        public String activityKind() {
            return "SRAdvocacyAPI takeAction";
        }

        @Override
        public int requests() {
            return crm.site.totalRequests();
        }

        @Override
        public List<String> secrets() {
            return List.of(LuminateSimulator.API_KEY, LuminateSimulator.PASSWORD, FtpsTestServer.PASSWORD);
        }

        @Override
        public void close() {
            crm.close();
        }
    }
}
