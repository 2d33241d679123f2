package org.crmsync.activecampaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.crmsync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator answers like ActiveCampaign, so the connector's tests mean something. */
class ActiveCampaignSimulatorTest {
    private final MutableClock clock = MutableClock.at("2026-03-02T14:00:00Z");
    private final ActiveCampaignSimulator ac = ActiveCampaignSimulator.start(clock);
    private final OkHttpClient http = new OkHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void close() {
        ac.close();
    }

    private Response call(String method, String path, String body, String token) throws IOException {
        Request.Builder b = new Request.Builder().url(ac.apiUrl() + path).header("Api-Token", token);
        b.method(method, body == null ? null : RequestBody.create(body, MediaType.get("application/json")));
        return http.newCall(b.build()).execute();
    }

    private JsonNode ok(String method, String path, String body) throws IOException {
        try (Response r = call(method, path, body, ActiveCampaignSimulator.TOKEN)) {
            assertThat(r.code()).as(method + " " + path).isBetween(200, 201);
            return json.readTree(r.body().string());
        }
    }

    @Test
    void aSixthRequestWithinOneSecondIsAnswered429WithRetryAfter() throws IOException {
        for (int i = 0; i < 5; i++) {
            ok("GET", "/users/me", null);
        }
        try (Response r = call("GET", "/users/me", null, ActiveCampaignSimulator.TOKEN)) {
            assertThat(r.code()).isEqualTo(429);
            assertThat(r.header("Retry-After")).isEqualTo("1");
        }
        clock.advance(Duration.ofSeconds(1).plusMillis(1));
        ok("GET", "/users/me", null);
        assertThat(ac.throttled()).isEqualTo(1);
    }

    @Test
    void theLimitIsKeptStrictlySoRequestsExactlyTwoHundredMillisecondsApartAreRefusedAtTheSixth() throws IOException {
        // Any rolling second with more than 5 requests is over the limit (rate-limits reference, B7): six
        // requests 200 ms apart fit in one closed second, [0, 1 s].
        for (int i = 0; i < 5; i++) {
            ok("GET", "/users/me", null);
            clock.advance(Duration.ofMillis(200));
        }
        try (Response r = call("GET", "/users/me", null, ActiveCampaignSimulator.TOKEN)) {
            assertThat(r.code()).isEqualTo(429);
        }
        clock.advance(Duration.ofMillis(23));
        ok("GET", "/users/me", null); // the first request is now more than a second old
        assertThat(ac.throttled()).isEqualTo(1);
    }

    @Test
    void aWrongTokenIsForbidden() throws IOException {
        try (Response r = call("GET", "/contacts", null, "wrong")) {
            assertThat(r.code()).isEqualTo(403);
            assertThat(r.body().string()).contains("Forbidden");
        }
    }

    @Test
    void idsAndCountsAreStringsPagesDefaultTo20AndUnknownFiltersAreIgnored() throws IOException {
        ac.rateLimit(0);
        for (int n = 0; n < 30; n++) {
            ac.addContact("p" + n + "@example.org", "P", "N");
        }

        JsonNode page = ok("GET", "/contacts?filters%5Bshoe_size%5D=12", null);

        assertThat(page.path("contacts")).hasSize(20);
        assertThat(page.path("meta").path("total").isTextual()).isTrue();
        assertThat(page.path("meta").path("total").asText()).isEqualTo("30");
        assertThat(page.path("contacts").get(0).path("id").isTextual()).isTrue();
        assertThat(page.path("contacts").get(0).path("udate").asText()).endsWith("-05:00");
    }

    @Test
    void syncUpsertsByEmailAndAnEmptyStringWipesTheField() throws IOException {
        ac.rateLimit(0);
        String field = ac.addField("Home City", "HOME_CITY");
        JsonNode created = ok("POST", "/contact/sync", "{\"contact\":{\"email\":\"a@example.org\",\"firstName\":\"A\","
                + "\"fieldValues\":[{\"field\":\"" + field + "\",\"value\":\"Dayton\"}]}}");
        String id = created.path("contact").path("id").asText();

        ok("POST", "/contact/sync", "{\"contact\":{\"email\":\"A@example.org\",\"firstName\":\"\"}}");

        assertThat(ac.contactCount()).isEqualTo(1);
        assertThat(ac.value(id, "firstName")).isEmpty();
        assertThat(ac.value(id, "HOME_CITY")).hasValue("Dayton");
    }

    @Test
    void theImporterQueuesAndDoesNotResubscribeSomeoneWhoUnsubscribed() throws IOException {
        ac.rateLimit(0);
        String list = ac.addList("Prospects");
        String gone = ac.addContact("gone@example.org", "G", "One");
        ac.listStatus(gone, list, 2);

        JsonNode queued = ok("POST", "/import/bulk_import", "{\"contacts\":[{\"email\":\"gone@example.org\","
                + "\"subscribe\":[{\"listid\":\"" + list + "\"}]},{\"email\":\"new@example.org\",\"first_name\":\"N\","
                + "\"subscribe\":[{\"listid\":\"" + list + "\"}]}]}");
        assertThat(queued.path("Success").asInt()).isEqualTo(1);
        String batch = queued.path("batchId").asText();
        assertThat(ok("GET", "/import/info?batchId=" + batch, null).path("status").asText()).isNotEqualTo("completed");
        clock.advance(Duration.ofSeconds(2));
        JsonNode info = ok("GET", "/import/info?batchId=" + batch, null);

        assertThat(info.path("status").asText()).isEqualTo("completed");
        assertThat(info.path("success")).hasSize(2);
        assertThat(ac.listStatusOf(gone, list)).hasValue("2");
        assertThat(ac.listStatusOf(ac.contactIdsWithEmail("new@example.org").get(0), list)).hasValue("1");
    }

    @Test
    void anImportWithABadEmailIsRefusedWholeNamingTheContact() throws IOException {
        ac.rateLimit(0);
        try (Response r = call("POST", "/import/bulk_import", "{\"contacts\":[{\"email\":\"ok@example.org\"},"
                + "{\"email\":\"broken\"}]}", ActiveCampaignSimulator.TOKEN)) {
            assertThat(r.code()).isEqualTo(400);
            JsonNode body = json.readTree(r.body().string());
            assertThat(body.path("success").asInt()).isZero();
            assertThat(body.path("failureReasons").get(0).path("contact").asInt()).isEqualTo(1);
        }
        assertThat(ac.contactCount()).isZero();
    }

    @Test
    void theImporterTakesTwentySingleContactImportsAMinuteAndAnswers400RateLimitExceededBeyond() throws IOException {
        ac.rateLimit(0);
        for (int i = 0; i < 20; i++) {
            ok("POST", "/import/bulk_import", "{\"contacts\":[{\"email\":\"one" + i + "@example.org\"}]}");
            clock.advance(Duration.ofSeconds(1));
        }
        try (Response r = call("POST", "/import/bulk_import", "{\"contacts\":[{\"email\":\"late@example.org\"}]}",
                ActiveCampaignSimulator.TOKEN)) {
            assertThat(r.code()).isEqualTo(400);
            JsonNode body = json.readTree(r.body().string());
            assertThat(body.path("message").asText()).isEqualTo("Rate limit exceeded.");
            assertThat(body.path("failureReasons").get(0).asText()).contains("retry this request in a minute");
        }
        // Several contacts per import have their own limit of 100 a minute.
        ok("POST", "/import/bulk_import", "{\"contacts\":[{\"email\":\"a@example.org\"},{\"email\":\"b@example.org\"}]}");
        clock.advance(Duration.ofSeconds(40)); // a minute after the first
        ok("POST", "/import/bulk_import", "{\"contacts\":[{\"email\":\"late@example.org\"}]}");
        assertThat(ac.importsRefusedForRate()).isEqualTo(1);
    }

    @Test
    void theImporterSkipsExcludedAddressesListingThemNeitherAsImportedNorAsFailed() throws IOException {
        ac.rateLimit(0);
        String entry = ac.addExclusion("@blocked.example", "end", "allEmail");
        ac.addExclusion("texts@example.org", "exact", "allSms");

        JsonNode exclusions = ok("GET", "/lists/exclusions?limit=100", null);
        assertThat(exclusions.path("exclusions")).hasSize(2);
        assertThat(exclusions.path("exclusions").get(0).path("id").asText()).isEqualTo(entry);
        assertThat(exclusions.path("exclusions").get(0).path("matchType").asText()).isEqualTo("end");
        assertThat(exclusions.path("meta").path("total").asInt()).isEqualTo(2);

        String batch = ok("POST", "/import/bulk_import", "{\"contacts\":[{\"email\":\"x@blocked.example\"},"
                + "{\"email\":\"texts@example.org\"}]}").path("batchId").asText();
        clock.advance(Duration.ofSeconds(2));
        JsonNode info = ok("GET", "/import/info?batchId=" + batch, null);

        assertThat(info.path("status").asText()).isEqualTo("completed");
        assertThat(info.path("success")).hasSize(1);
        assertThat(info.path("failure")).isEmpty();
        assertThat(ac.contactIdsWithEmail("x@blocked.example")).isEmpty();
    }
}
