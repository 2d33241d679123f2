package org.crmsync.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.crmsync.model.OptInStatus;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Personal data stays out of the logs at every level. The tests use slf4j-simple, which fixes each
 * logger's level when it is created, so this class runs in its own JVM with every {@code org.crmsync}
 * logger at TRACE (the {@code log-privacy} execution in this module's pom) and reads what they print
 * to {@code System.err}. In the module's other test run it is skipped.
 */
class SalesforceLogPrivacyTest {
    private static final String LOG_CAPTURE_PROPERTY = "crmsync.test.logCapture";

    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        System.setErr(originalErr);
    }

    @Test
    void aLookupOfProfilesByEmailAndPhoneLogsNeitherAtDebugNorAtTrace() {
        boolean captureRun = Boolean.getBoolean(LOG_CAPTURE_PROPERTY);
        assumeTrue(captureRun, "runs in the log-privacy execution, where org.crmsync logs at TRACE");
        assertThat(LoggerFactory.getLogger("org.crmsync.http.RedactingLoggingInterceptor").isTraceEnabled())
                .as("TRACE enabled in the log-privacy execution").isTrue();

        List<String> personalData = new ArrayList<>();
        try (SalesforceFixture f = new SalesforceFixture()) {
            // One contact to be found, so the lookup answers with personal data too.
            f.sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana.reyes@example.org", "(415) 555-2671", true));
            f.signUp("Ana", "Reyes", "ana.reyes@example.org", "+14155552671", OptInStatus.OPTED_IN);
            f.signUp("Ben", "Ode", "ben.o'dea+sms@example.net", "+16465550123", OptInStatus.OPTED_IN);
            personalData.addAll(List.of("ana.reyes@example.org", "ben.o'dea+sms@example.net", "+14155552671",
                    "4155552671", "555-2671", "555 2671", "+16465550123", "6465550123", "555-0123", "555.0123",
                    SalesforceSimulator.USERNAME));
            // Secrets stay out too.
            personalData.addAll(List.of(SalesforceSimulator.PASSWORD, SalesforceSimulator.SECURITY_TOKEN,
                    SalesforceSimulator.CLIENT_SECRET));
            // A retried lookup logs its retry too.
            f.sf.failNext(SalesforceSimulator.Kind.COMPOSITE, 1);

            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            SyncReport report = f.outbound();
            System.setErr(originalErr);

            assertThat(report.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(report.count(Outcome.UPDATED) + report.count(Outcome.CREATED)).isEqualTo(2);
            // The session tokens the run was given, whatever their form.
            assertThat(f.sf.issuedAccessTokens()).isNotEmpty();
            personalData.addAll(f.sf.issuedAccessTokens());
        }
        String log = captured.toString(StandardCharsets.UTF_8);

        for (String value : personalData) {
            String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
            // Not assertThat(log).doesNotContain(...): a failure would print the whole log.
            assertThat(log.contains(value) || log.contains(encoded) || log.contains(encoded.replace("+", "%20")))
                    .as("the log holds %s", value).isFalse();
        }
        assertThat(log.contains("example.org") || log.contains("example.net")).as("the log holds an email domain")
                .isFalse();
        // The capture works: the lookup's request lines (a Composite POST: the statements are in its body,
        // which is never logged), their headers and the retry were logged.
        assertThat(log).contains("DEBUG org.crmsync.http.RedactingLoggingInterceptor - POST http://127.0.0.1:")
                .contains("/services/data/v67.0/composite -> 503").contains("/services/data/v67.0/composite -> 200")
                .contains("TRACE org.crmsync.http").contains("DEBUG org.crmsync.http.RetryInterceptor");
    }
}
