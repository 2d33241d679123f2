package org.crmsync.activecampaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.crmsync.SyncDirection;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.RemoteRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One connector instance per account, shared by the account's jobs: each run has its own session. */
class ActiveCampaignSessionTest {
    private final ActiveCampaignFixture f = new ActiveCampaignFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void contactsAreReadByIdWithTheirMappedFieldsAndAnUnknownIdIsAbsent() {
        String id = f.ac.addContact("web@example.org", "Wen", "Bo");
        int before = f.ac.requests("GET /contacts");

        Map<String, RemoteRecord> read = f.connector().open(new DirectContext(f.mapping, f.policy, f.clock))
                .read(List.of(id, "999999"));

        assertThat(read).containsOnlyKeys(id);
        assertThat(read.get(id).fields()).containsEntry("email", "web@example.org").containsEntry("firstName", "Wen");
        assertThat(f.ac.requests("GET /contacts") - before).isEqualTo(1);
    }

    @Test
    void theImportAndTheExportOfOneAccountRunAtOnceOnOneConnector() throws Exception {
        for (int i = 1; i <= 30; i++) {
            f.student(i);
        }
        for (int i = 0; i < 5; i++) {
            f.ac.addContact("web" + i + "@example.org", "Web" + i, "Form");
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<SyncReport> export = pool.submit(() -> f.engine.run(f.job(SyncDirection.OUTBOUND).fullExport(true)
                    .build()));
            Future<SyncReport> imported = pool.submit(f::importContacts);

            SyncReport out = export.get(60, TimeUnit.SECONDS);
            SyncReport in = imported.get(60, TimeUnit.SECONDS);

            assertThat(out.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(in.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(out.count(Outcome.CREATED)).isEqualTo(30);
            // Each run counted its own calls (a refused one and its retry included), and the two together
            // are every request the account received.
            assertThat(out.apiCallsUsed() + in.apiCallsUsed()).isEqualTo(f.ac.totalRequests());
        } finally {
            pool.shutdownNow();
        }
    }
}
