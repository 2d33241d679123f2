package org.crmsync.actionkit;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.time.Instant;
import org.crmsync.activity.Activity;
import java.util.Base64;
import java.nio.charset.StandardCharsets;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.contract.CallFault;
import org.crmsync.testing.contract.ConnectorContract;
import org.crmsync.testing.contract.ContractCrm;
import org.crmsync.testing.contract.Person;

/**
 * The kit's connector contract, fault matrix and crash harness, run against the ActionKit connector and
 * simulator, with an Import page configured: batches of ten or more new users go through the upload API.
 */
class ActionKitContractTest extends ConnectorContract {
    @Override
    protected ContractCrm startCrm(MutableClock clock) {
        return new ActionKitContractCrm(ActionKitSimulator.start(clock));
    }

    /** The ActionKit simulator as the contract sees it: users with a mobile phone and the seed's subscriber field. */
    static final class ActionKitContractCrm implements ContractCrm {
        static final List<String> KINDS = List.of("GET /user/schema/", "GET /phone/schema/", "GET /alloweduserfield/",
                "GET /user/", "GET /phone/", "POST /user/", "PATCH /user/{id}/", "POST /phone/", "POST /upload/",
                "GET /upload/{id}/");
        private final ActionKitSimulator ak;
        private final Map<String, String> config;

        ActionKitContractCrm(ActionKitSimulator ak) {
            this.ak = ak;
            this.config = new LinkedHashMap<>(ak.connectorConfig());
            config.put("http.read.timeout", "300ms");
            ak.addPage("call_congress", "Call", Map.of("call_mconnect_id", "MC1"));
            config.put(ActionKitConfig.CALL_PAGES, "MC1=call_congress");
            // Batches of ten or more new users go through the upload API, so the fault matrix meets it too (its
            // batch of twelve); uploads complete soon and are polled soon, as the crash harness runs on real time.
            ak.addPage("contract_import", "Import", Map.of());
            config.put(ActionKitConfig.UPLOAD_PAGE, "contract_import");
            config.put(ActionKitConfig.UPLOAD_THRESHOLD, "10");
            config.put(ActionKitConfig.UPLOAD_POLL_INTERVAL, "200ms");
            ak.uploadDelay(java.time.Duration.ofMillis(200));
        }

        @Override
        public String providerId() {
            return ActionKitConnectorProvider.ID;
        }

        @Override
        public Map<String, String> config() {
            return Map.copyOf(config);
        }

        @Override
        public Connector connector(ConnectorContext context) {
            return ConnectorRegistry.load().create(providerId(), config, context);
        }

        private static Map<String, String> fields(Person p) {
            Map<String, String> u = new LinkedHashMap<>();
            u.put("first_name", p.firstName());
            u.put("last_name", p.lastName());
            u.put("email", p.email());
            u.put("country", "United States");
            u.put("mobile_phone", p.phone());
            u.put("user_" + ActionKitSimulator.OPT_IN_FIELD, Boolean.toString(p.optedIn()));
            return u;
        }

        @Override
        public String add(Person person) {
            return ak.addUser(fields(person));
        }

        @Override
        public List<String> addAtOnce(List<Person> people) {
            List<String> ids = new ArrayList<>();
            people.forEach(p -> ids.add(ak.addUser(fields(p)))); // the clock stands still: one updated_at
            return ids;
        }

        @Override
        public void update(String id, Person person) {
            ak.updateUser(id, fields(person));
        }

        @Override
        public Map<String, Person> people() {
            Map<String, Person> people = new LinkedHashMap<>();
            for (String id : ak.userIds()) {
                people.put(id, new Person(ak.value(id, "first_name").orElse(null), ak.value(id, "last_name").orElse(null),
                        ak.value(id, "email").orElse(null), ak.value(id, "mobile_phone").orElse(null),
                        ak.value(id, "user_" + ActionKitSimulator.OPT_IN_FIELD).filter("true"::equals).isPresent()));
            }
            return people;
        }

        @Override
        public Set<String> callKinds() {
            return new LinkedHashSet<>(KINDS);
        }

        @Override
        public Set<CallFault> faults() {
            // HTTP Basic authentication: there is no session to expire.
            return EnumSet.complementOf(EnumSet.of(CallFault.EXPIRED_SESSION));
        }

        @Override
        public void failNext(String kind, CallFault fault) {
            ak.answerNext(kind, 1, fault.answer());
        }

        @Override
        public void applyThenDropNext(String kind) {
            ak.applyThenDropNext(kind);
        }

        @Override
        public String createKind() {
            return "POST /user/";
        }

        @Override
        public String updateKind() {
            return "PATCH /user/{id}/";
        }

        @Override
        public void down(String kind) {
            ak.down(kind);
        }

        @Override
        public int faultsPending() {
            return ak.faultsPending();
        }

        @Override
        public void clearFaults() {
            ak.clearFaults();
        }

        @Override
        public Optional<Activity> sampleActivity(String key, String localId) {
            return Optional.of(Activity.of(key, "call", localId, Instant.parse("2026-06-01T07:30:00Z"),
                    Map.of("mconnect_key", "MC1", "target", "Rep. Example")));
        }

        @Override
        public long activitiesWithKey(String key) {
            return ak.actionsWith(CallActions.KEY_FIELD, key);
        }

        @Override
        public String activityKind() {
            return "POST /action/";
        }

        @Override
        public int requests() {
            return ak.totalRequests();
        }

        @Override
        public List<String> secrets() {
            return List.of(ActionKitSimulator.PASSWORD, Base64.getEncoder().encodeToString((ActionKitSimulator.LOGIN + ":"
                    + ActionKitSimulator.PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public void close() {
            ak.close();
        }
    }
}
