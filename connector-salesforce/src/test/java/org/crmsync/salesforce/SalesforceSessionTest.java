package org.crmsync.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.MatchKey;
import org.crmsync.salesforce.SalesforceSimulator.Kind;
import org.crmsync.salesforce.internal.SalesforceClient;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connector's sessions: read by id, lookups, the quota between calls of one write, one meter per run. */
class SalesforceSessionTest {
    private final SalesforceFixture f = new SalesforceFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** Counts calls and refuses once {@code limit} are taken, as the engine's quota meter does. */
    private static final class Limited implements ApiCallMeter {
        private final long limit;
        private long used;

        Limited(long limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void acquire(String what) {
            if (used >= limit) {
                throw new CrmSyncException(ErrorCode.QUOTA_EXHAUSTED, "quota of " + limit + " used; " + what + " not sent");
            }
            used++;
        }

        @Override
        public synchronized long used() {
            return used;
        }

        @Override
        public synchronized OptionalLong remaining() {
            return OptionalLong.of(limit - used);
        }
    }

    @Test
    void contactsAreReadByIdInOneQueryKeyedAsAskedAndAnUnknownIdIsAbsent() {
        String ana = f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        String ben = f.sf.addContact(SalesforceFixture.contact("Ben", "Ode", "ben@example.org", "+14155552672", false));
        String ben15 = ben.substring(0, 15);
        int lookupsBefore = f.sf.requests(Kind.COMPOSITE);

        Map<String, RemoteRecord> read = f.connector().open(new DirectContext(f))
                .read(List.of(ana, ben15, "003000000000000AAA"));

        assertThat(read).containsOnlyKeys(ana, ben15);
        assertThat(read.get(ana).fields()).containsEntry("FirstName", "Ana");
        assertThat(read.get(ben15).fields()).containsEntry("Mobile_Subscriber__c", "false");
        assertThat(f.sf.requests(Kind.COMPOSITE) - lookupsBefore).isEqualTo(1);
        assertThat(f.sf.queries()).singleElement().asString().contains("WHERE Id IN (");
    }

    @Test
    void aLookupOfMoreStatementsThanOneCompositeRequestTakesGoesInSeveralOfAtMostFiveQueriesEach() {
        List<LookupRequest> requests = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String email = String.format("a.rather.long.mailbox.name.for.testing.statement.limit.%04d@subdomain.example.org",
                    i).substring(1);
            String phone = "+1415555" + (2000 + i);
            requests.add(new LookupRequest("p" + i, Profile.builder().firstName("F" + i).lastName("L" + i).email(email)
                    .phoneNumber(phone).optInStatus(OptInStatus.OPTED_IN).build(), List.of(MatchKey.EMAIL, MatchKey.PHONE)));
            if (i % 250 == 0) {
                ids.add(f.sf.addContact(SalesforceFixture.contact("F" + i, "L" + i, null,
                        "(415) 555-" + (2000 + i), false)));
            }
        }
        ConnectorSession session = f.connector().open(new DirectContext(f));
        session.preflight();

        Map<String, List<RemoteRecord>> found = session.lookup(requests);

        int statements = f.sf.queries().size();
        assertThat(statements).isGreaterThan(SalesforceClient.MAX_QUERIES_PER_COMPOSITE);
        assertThat(f.sf.queries()).allSatisfy(q -> assertThat(q.length())
                .isLessThanOrEqualTo(SalesforceClient.LOOKUP_STATEMENT_CHARS));
        assertThat(f.sf.requests(Kind.COMPOSITE)).isEqualTo((statements + 4) / 5);
        assertThat(f.sf.requests(Kind.QUERY)).isZero();
        for (int i = 0; i < 2000; i += 250) {
            assertThat(found.get("p" + i)).extracting(RemoteRecord::remoteId).containsExactly(ids.get(i / 250));
        }
        assertThat(found.values().stream().mapToInt(List::size).sum()).isEqualTo(ids.size());
    }

    @Test
    void whenTheQuotaRunsOutBetweenTheCallsOfOneWriteTheCreatesKeepTheirIdsAndTheUpdatesAreNotSent() {
        String existing = f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671",
                true));
        // login, describe, the creates call; the updates call would be the fourth.
        ConnectorSession session = f.connector().open(new DirectContext(f, new Limited(3)));
        session.preflight();

        List<WriteResult> results = session.write(List.of(
                RemoteWrite.create("new", Map.of("LastName", "Ode", "Email", "ben@example.org"), OptInStatus.OPTED_IN),
                RemoteWrite.update("old", existing, Map.of("Mobile_Subscriber__c", "false"), OptInStatus.OPTED_OUT)));

        assertThat(results).filteredOn(r -> r.key().equals("new")).singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(WriteResult.Status.CREATED));
        assertThat(results).filteredOn(r -> r.key().equals("old")).singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(WriteResult.Status.NOT_SENT));
        assertThat(f.sf.contact(existing).orElseThrow()).containsEntry("Mobile_Subscriber__c", true);
    }

    @Test
    void twoSessionsOfOneConnectorChargeTheirOwnRunsMeters() throws Exception {
        f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "+14155552671", true));
        Limited first = new Limited(100);
        Limited second = new Limited(100);
        ConnectorSession a = f.connector().open(new DirectContext(f, first));
        ConnectorSession b = f.connector().open(new DirectContext(f, second));

        a.preflight(); // login and describe
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            threads.add(new Thread(() -> b.read(List.of("003000000000000AAA"))));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(10_000);
        }

        assertThat(first.used()).isEqualTo(2);
        assertThat(second.used()).isEqualTo(3);
    }
}
