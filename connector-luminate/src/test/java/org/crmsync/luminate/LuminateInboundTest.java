package org.crmsync.luminate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.junit.jupiter.api.Test;

/**
 * The nightly changed-records file over FTPS, each constituent it names read through getUser, and what
 * goes wrong with files: missing, empty, cut off mid-row, with a byte order mark, in another encoding,
 * without the id heading, the same file twice, the login refused.
 */
class LuminateInboundTest {
    private static final String HEADER = "CONS_ID,FIRST_NAME,LAST_NAME,EMAIL\r\n";

    private static long person(LuminateFixture f, int n, boolean optIn) {
        return f.site.addConstituent("First" + n, "Last" + n, "p" + n + "@example.org", LuminateFixture.cell(n), optIn);
    }

    private static void file(LuminateFixture f, String text, Charset charset) {
        f.site.writeExport(text.getBytes(charset), f.clock.instant());
    }

    @Test
    void eachChangedConstituentIsReadThroughTheApiAndLinkedByItsConstituentId() {
        try (LuminateFixture f = new LuminateFixture()) {
            long ana = person(f, 1, true);
            long ben = person(f, 2, false);
            // The file's other columns are not trusted: the API read is the truth.
            f.site.publishOnChange(false);
            file(f, HEADER + ana + ",Stale,Name,old@example.org\r\n" + ben + ",,,\r\n", StandardCharsets.UTF_8);

            SyncReport r = f.inbound();

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.count(Outcome.CREATED)).isEqualTo(2);
            Profile a = f.byEmail("p1@example.org");
            assertThat(a.constituentId()).contains(Long.toString(ana));
            assertThat(a.firstName()).contains("First1");
            assertThat(a.phoneNumber()).contains(LuminateFixture.cell(1));
            assertThat(a.optInStatus()).isEqualTo(OptInStatus.OPTED_IN);
            assertThat(f.byEmail("p2@example.org").optInStatus()).isEqualTo(OptInStatus.OPTED_OUT);
            assertThat(f.site.callCounts()).containsEntry("SRConsAPI getUser", 2);
        }
    }

    @Test
    void conservativeSyncTakesOnlyConstituentsWhoseOptInFieldIsTrueAndEveryoneNeedsAMobileNumber() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.policy = LuminateFixture.preset(SyncMode.CONSERVATIVE);
            person(f, 1, true);
            person(f, 2, false);
            f.site.addConstituent("No", "Phone", "nophone@example.org", null, true);

            SyncReport r = f.inbound();

            assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(r.count(Outcome.SKIPPED)).isEqualTo(2);
            assertThat(f.store.findByEmail("p1@example.org")).hasSize(1);
            assertThat(f.store.findByEmail("p2@example.org")).isEmpty();
            assertThat(f.store.findByEmail("nophone@example.org")).isEmpty();
        }
    }

    @Test
    void theSameFileTwiceIsAppliedOnceAndANewFileUnderTheSameNameIsRead() {
        try (LuminateFixture f = new LuminateFixture()) {
            long id = person(f, 1, true);
            assertThat(f.inbound().count(Outcome.CREATED)).isEqualTo(1);
            f.site.resetCounts();

            f.clock.advance(Duration.ofHours(1));
            SyncReport again = f.inbound();

            assertThat(again.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(again.recordsRead()).isZero();
            assertThat(f.site.callCounts()).as("the file was recognised; no constituent read again")
                    .doesNotContainKey("SRConsAPI getUser");

            f.clock.advance(Duration.ofDays(1));
            f.site.edit(id, "name.first", "Renamed"); // tonight's file, same name, new size and time
            SyncReport next = f.inbound();

            assertThat(next.count(Outcome.UPDATED)).isEqualTo(1);
            assertThat(f.byEmail("p1@example.org").firstName()).contains("Renamed");
        }
    }

    @Test
    void aMissingFileEndsTheRunWaitingAndTheNextRunReadsIt() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.publishOnChange(false);
            person(f, 1, true);

            SyncReport waiting = f.inbound();

            assertThat(waiting.status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);
            assertThat(waiting.message()).contains("changed_constituents.csv").contains("127.0.0.1");
            assertThat(waiting.retryAfter()).isPresent();

            f.site.publish();
            f.clock.advance(Duration.ofHours(1));
            assertThat(f.inbound().count(Outcome.CREATED)).isEqualTo(1);
        }
    }

    @Test
    void anEmptyFileIsWaitedForAsOneStillBeingWritten() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.publishOnChange(false);
            person(f, 1, true);
            file(f, "", StandardCharsets.UTF_8);

            assertThat(f.inbound().status()).isEqualTo(RunStatus.WAITING_FOR_REMOTE);
        }
    }

    @Test
    void aFileCutOffMidRowAppliesTheWholeRowsAndReportsTheCutOneWithItsLine() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.publishOnChange(false);
            long a = person(f, 1, true);
            long b = person(f, 2, true);
            String whole = HEADER + a + ",First1,Last1,p1@example.org\r\n" + b + ",First2,Last2,p2@exa";
            file(f, whole, StandardCharsets.UTF_8);

            SyncReport r = f.inbound();

            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(r.rows(Outcome.FAILED)).singleElement().satisfies(row -> assertThat(row.message())
                    .contains("line 3").contains("cut off"));
            assertThat(f.site.callCounts()).containsEntry("SRConsAPI getUser", 1);
        }
    }

    @Test
    void aByteOrderMarkIsDropped() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.publishOnChange(false);
            long a = person(f, 1, true);
            file(f, "\uFEFF" + HEADER + a + ",First1,Last1,p1@example.org\r\n", StandardCharsets.UTF_8);

            assertThat(f.inbound().count(Outcome.CREATED)).isEqualTo(1);
        }
    }

    @Test
    void aFileInAnotherEncodingFailsNamingTheFileAndLineUntilItsCharsetIsSet() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.publishOnChange(false);
            long a = person(f, 1, true);
            long b = person(f, 2, true);
            file(f, HEADER + a + ",Jos\u00e9,Last1,p1@example.org\r\n" + b + ",First2,Last2,p2@example.org\r\n",
                    Charset.forName("windows-1252"));

            SyncReport wrong = f.inbound();

            assertThat(wrong.status()).isEqualTo(RunStatus.FAILED);
            assertThat(wrong.message()).contains("changed_constituents.csv").contains("line 2").contains("UTF-8");

            f.config.put(LuminateConfig.EXPORT_CHARSET, "windows-1252");
            f.restart();
            assertThat(f.inbound().count(Outcome.CREATED)).isEqualTo(2);
        }
    }

    @Test
    void aFileWithoutTheIdHeadingFailsNamingTheHeadingsFoundAndTheHeadingCanBeConfigured() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.publishOnChange(false);
            long a = person(f, 1, true);
            file(f, "CONSTITUENT_ID,EMAIL\r\n" + a + ",p1@example.org\r\n", StandardCharsets.UTF_8);

            SyncReport r = f.inbound();

            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.message()).contains("\"CONS_ID\"").contains("\"CONSTITUENT_ID\", \"EMAIL\"");

            f.config.put(LuminateConfig.EXPORT_ID_HEADING, "CONSTITUENT_ID");
            f.restart();
            assertThat(f.inbound().count(Outcome.CREATED)).isEqualTo(1);
        }
    }

    @Test
    void aRowThatIsNotAConstituentIdIsReportedWithItsLineAndTheOthersApplied() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.site.publishOnChange(false);
            long a = person(f, 1, true);
            file(f, HEADER + "n/a,X,Y,z@example.org\r\n" + a + ",First1,Last1,p1@example.org\r\n", StandardCharsets.UTF_8);

            SyncReport r = f.inbound();

            assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(r.rows(Outcome.FAILED)).singleElement().satisfies(row -> assertThat(row.message())
                    .contains("line 2"));
        }
    }

    @Test
    void theFtpHostRefusingTheLoginIsACredentialsProblemNamingTheKeyNotThePassword() {
        try (LuminateFixture f = new LuminateFixture()) {
            person(f, 1, true);
            f.config.put(LuminateConfig.FTP_PASSWORD, "wrong-password-123");

            SyncReport r = f.inbound();

            assertThat(r.status()).isEqualTo(RunStatus.PREFLIGHT_FAILED);
            assertThat(String.join(" ", r.preflightProblems())).contains("ftp.login").contains("530")
                    .doesNotContain("wrong-password-123").doesNotContain(FtpsTestServer.PASSWORD);
            assertThat(f.store.findByEmail("p1@example.org")).isEmpty();
        }
    }

    @Test
    void aCertificateTheConnectorDoesNotTrustFailsTheTlsHandshakeWithAClearMessage() {
        try (LuminateFixture f = new LuminateFixture()) {
            person(f, 1, true);
            f.config.remove(LuminateConfig.FTP_TLS_CERTIFICATE);

            SyncReport r = f.inbound();

            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.message()).contains("TLS").contains("ftp.tls.certificate");
        }
    }

    @Test
    void plainFtpIsRefusedUnlessTheContextAllowsPlainConnections(@org.junit.jupiter.api.io.TempDir java.nio.file.Path work) {
        try (LuminateFixture f = new LuminateFixture(); FtpsTestServer plain = FtpsTestServer.plain(work)) {
            f.config.putAll(plain.config(LuminateCrm.FILE));
            f.config.remove(LuminateConfig.FTP_TLS_CERTIFICATE);
            ConnectorContext https = new ConnectorContext(f.clock, f.sleeper, false);

            assertThatThrownBy(() -> ConnectorRegistry.load().create(LuminateConnectorProvider.ID, f.config, https))
                    .isInstanceOf(CrmSyncException.class).hasMessageContaining("ftps://")
                    .satisfies(e -> assertThat(((CrmSyncException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));

            f.site.exportTo(plain.home(), LuminateCrm.FILE);
            person(f, 1, true);
            assertThat(f.inbound().count(Outcome.CREATED)).as("a test's local plain server").isEqualTo(1);
        }
    }

    @Test
    void theFileCanBeDownloadedOverHttps() {
        try (LuminateFixture f = new LuminateFixture()) {
            f.config.put(LuminateConfig.EXPORT_URL, f.site.baseUrl() + "/export/" + LuminateCrm.FILE);
            person(f, 1, true);

            SyncReport r = f.inbound();

            assertThat(r.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(f.site.callCounts()).containsEntry("GET /export", 2); // preflight, then the run

            f.clock.advance(Duration.ofHours(1));
            assertThat(f.inbound().recordsRead()).as("same Last-Modified and length: the same file").isZero();
        }
    }

    @Test
    void aConstituentThatCouldNotBeReadIsKeptAndReadAgainOnTheNextRun() {
        try (LuminateFixture f = new LuminateFixture()) {
            long first = person(f, 1, true);
            person(f, 2, true);
            person(f, 3, true);
            // Every attempt of the first read fails: that constituent is kept for the next run.
            f.site.answerNext("SRConsAPI getUser", 4, com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                    .withStatus(503).withHeader("Content-Type", "text/html").withBody("<html>down</html>"));

            SyncReport failed = f.inbound();

            assertThat(failed.count(Outcome.CREATED)).isEqualTo(2);
            assertThat(f.store.findByEmail("p1@example.org")).isEmpty();
            f.clock.advance(Duration.ofHours(1));
            SyncReport retried = f.inbound(); // the same file: only the kept constituent is read, by its id

            assertThat(retried.count(Outcome.CREATED)).isEqualTo(1);
            assertThat(f.byEmail("p1@example.org").constituentId()).contains(Long.toString(first));
        }
    }

    @Test
    void luminateQuirksAreRead() {
        // Everything a string, empties as null or {}, a list of one as the object itself (reference §3.1, §7).
        com.fasterxml.jackson.databind.JsonNode c = read("{\"cons_id\":\"1001234\",\"member_id\":null,"
                + "\"name\":{\"first\":\"Ana\",\"last\":\"Diaz\",\"title\":{}},\"email\":{\"primary_address\":"
                + "\"ana@example.org\",\"accepts_email\":\"true\"},\"mobile_phone\":\"937-555-0100\","
                + "\"primary_address\":{\"street1\":{},\"city\":\"Dayton\"},"
                + "\"custom\":{\"boolean\":{\"id\":\"custom_boolean50\",\"content\":\"true\"},"
                + "\"string\":[{\"id\":\"custom_string1\",\"content\":\"x\"},{\"id\":\"custom_string2\",\"content\":{}}]}}");

        Map<String, String> fields = org.crmsync.luminate.internal.LuminateJson.flatten(c);

        assertThat(fields).containsEntry("cons_id", "1001234").containsEntry("name.first", "Ana")
                .containsEntry("name.title", "").containsEntry("email.primary_address", "ana@example.org")
                .containsEntry("primary_address.street1", "").containsEntry("primary_address.city", "Dayton")
                .containsEntry("custom_boolean50", "true").containsEntry("custom_string1", "x")
                .containsEntry("custom_string2", "").containsEntry("member_id", "");
    }

    private static com.fasterxml.jackson.databind.JsonNode read(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void filesOfDifferentTimesAreDifferentFiles() {
        FileIdentity a = new FileIdentity("f.csv", 10, "20260601080000");
        assertThat(FileIdentity.of(a.cursor("3"))).contains(a);
        assertThat(a).isNotEqualTo(new FileIdentity("f.csv", 10, "20260602080000"));
        assertThat(a).isNotEqualTo(new FileIdentity("f.csv", 11, "20260601080000"));
        assertThat(FileIdentity.of(a.cursor(FileIdentity.END)).orElseThrow()).isEqualTo(a);
    }
}
