package org.crmsync.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.crmsync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator answers like Salesforce, so the connector's tests mean something. */
class SalesforceSimulatorTest {
    private final MutableClock clock = MutableClock.at("2026-03-02T06:00:00Z");
    private final SalesforceSimulator sf = SalesforceSimulator.start(clock);
    private final OkHttpClient http = new OkHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private String token;

    @BeforeEach
    void login() throws IOException {
        RequestBody form = new FormBody.Builder().add("grant_type", "password")
                .add("client_id", SalesforceSimulator.CLIENT_ID).add("client_secret", SalesforceSimulator.CLIENT_SECRET)
                .add("username", SalesforceSimulator.USERNAME)
                .add("password", SalesforceSimulator.PASSWORD + SalesforceSimulator.SECURITY_TOKEN).build();
        try (Response r = http.newCall(new Request.Builder().url(sf.baseUrl() + "/services/oauth2/token").post(form)
                .build()).execute()) {
            JsonNode body = json.readTree(r.body().string());
            assertThat(body.path("instance_url").asText()).isEqualTo(sf.baseUrl());
            assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
            token = body.path("access_token").asText();
        }
    }

    @AfterEach
    void close() {
        sf.close();
    }

    private JsonNode query(String soql, int expectedStatus) throws IOException {
        HttpUrl url = HttpUrl.get(sf.baseUrl() + "/services/data/v67.0/query").newBuilder()
                .addQueryParameter("q", soql).build();
        try (Response r = http.newCall(new Request.Builder().url(url).header("Authorization", "Bearer " + token)
                .build()).execute()) {
            assertThat(r.code()).isEqualTo(expectedStatus);
            assertThat(r.header("Sforce-Limit-Info")).matches("api-usage=\\d+/15000");
            return json.readTree(r.body().string());
        }
    }

    @Test
    void aQuotedDatetimeLiteralIsRefusedAsSalesforceDoes() throws IOException {
        JsonNode error = query("SELECT Id FROM Contact WHERE SystemModstamp > '2026-03-01T00:00:00Z'", 400);

        assertThat(error.get(0).path("errorCode").asText()).isEqualTo("INVALID_FIELD");
        assertThat(error.get(0).path("message").asText()).contains("should not be enclosed in quotes");
    }

    @Test
    void unknownColumnsAndMixedAndOrAreErrors() throws IOException {
        assertThat(query("SELECT Id, Mobile_Subscriber_c FROM Contact", 400).get(0).path("message").asText())
                .contains("No such column 'Mobile_Subscriber_c'").contains("__c");
        assertThat(query("SELECT Id FROM Contact WHERE Email = 'a' AND LastName = 'b' OR Id = '003000000000001AAA'",
                400).get(0).path("errorCode").asText()).isEqualTo("MALFORMED_QUERY");
        assertThat(query("SELECT Id FROM Contact WHERE Email = 'a\\qb'", 400).get(0).path("errorCode").asText())
                .isEqualTo("MALFORMED_QUERY");
    }

    @Test
    void emptyFieldsComeBackAsNullAndDatetimesWithAnOffsetWithoutColon() throws IOException {
        sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", null, true));

        JsonNode page = query("SELECT Id, MobilePhone, SystemModstamp, Mobile_Subscriber__c FROM Contact", 200);

        assertThat(page.path("totalSize").asInt()).isEqualTo(1);
        assertThat(page.path("done").asBoolean()).isTrue();
        JsonNode record = page.path("records").get(0);
        assertThat(record.path("attributes").path("type").asText()).isEqualTo("Contact");
        assertThat(record.get("MobilePhone").isNull()).isTrue();
        assertThat(record.path("SystemModstamp").asText()).isEqualTo("2026-03-02T06:00:00.000+0000");
        assertThat(record.path("Mobile_Subscriber__c").isBoolean()).isTrue();
    }

    @Test
    void collectionsRefuseMoreThanTwoHundredRecords() throws IOException {
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < 201; i++) {
            records.append(i == 0 ? "" : ",").append("{\"attributes\":{\"type\":\"Contact\"},\"LastName\":\"L").append(i)
                    .append("\"}");
        }
        RequestBody body = RequestBody.create("{\"allOrNone\":false,\"records\":[" + records + "]}",
                MediaType.get("application/json"));
        try (Response r = http.newCall(new Request.Builder().url(sf.baseUrl() + "/services/data/v67.0/composite/sobjects")
                .header("Authorization", "Bearer " + token).post(body).build()).execute()) {
            assertThat(r.code()).isEqualTo(400);
            assertThat(r.body().string()).contains("EXCEEDED_ID_LIMIT");
        }
        assertThat(sf.contactCount()).isZero();
    }

    @Test
    void allOrNoneRollsBackTheBatchAndMarksTheOthersRolledBack() throws IOException {
        RequestBody body = RequestBody.create("{\"allOrNone\":true,\"records\":["
                + "{\"attributes\":{\"type\":\"Contact\"},\"LastName\":\"Good\"},"
                + "{\"attributes\":{\"type\":\"Contact\"},\"FirstName\":\"NoLast\"}]}", MediaType.get("application/json"));
        try (Response r = http.newCall(new Request.Builder().url(sf.baseUrl() + "/services/data/v67.0/composite/sobjects")
                .header("Authorization", "Bearer " + token).post(body).build()).execute()) {
            JsonNode results = json.readTree(r.body().string());
            assertThat(results.get(0).path("errors").get(0).path("statusCode").asText())
                    .isEqualTo("ALL_OR_NONE_OPERATION_ROLLED_BACK");
            assertThat(results.get(1).path("errors").get(0).path("statusCode").asText())
                    .isEqualTo("REQUIRED_FIELD_MISSING");
        }
        assertThat(sf.contactCount()).isZero();
    }

    private JsonNode get(String path, int expectedStatus, String batchSize) throws IOException {
        Request.Builder b = new Request.Builder().url(sf.baseUrl() + path).header("Authorization", "Bearer " + token);
        if (batchSize != null) {
            b.header("Sforce-Query-Options", "batchSize=" + batchSize);
        }
        try (Response r = http.newCall(b.build()).execute()) {
            assertThat(r.code()).as(path).isEqualTo(expectedStatus);
            return json.readTree(r.body().string());
        }
    }

    private String firstPageLocator() throws IOException {
        JsonNode first = get("/services/data/v67.0/query?q=SELECT+Id+FROM+Contact", 200, "200");
        assertThat(first.path("done").asBoolean()).isFalse();
        return first.path("nextRecordsUrl").asText();
    }

    @Test
    void aQueryLocatorExpiresAfterFifteenIdleMinutesAndTheEleventhOpenOneReleasesTheOldest() throws IOException {
        for (int i = 0; i < 250; i++) {
            sf.addContact(SalesforceFixture.contact("F" + i, "L" + i, "p" + i + "@example.org", null, true));
        }
        String idle = firstPageLocator();
        clock.advance(java.time.Duration.ofMinutes(14));
        String stillOpen = firstPageLocator();
        clock.advance(java.time.Duration.ofMinutes(1));

        assertThat(get(idle, 400, "200").get(0).path("errorCode").asText()).isEqualTo("INVALID_QUERY_LOCATOR");
        assertThat(get(stillOpen, 200, "200").path("done").asBoolean()).isTrue();

        String oldest = firstPageLocator();
        for (int i = 0; i < 10; i++) {
            firstPageLocator();
        }
        assertThat(get(oldest, 400, "200").get(0).path("errorCode").asText()).isEqualTo("INVALID_QUERY_LOCATOR");
    }

    @Test
    void aUriOverTheLimitIsRefusedWith414() throws IOException {
        String longValue = "x".repeat(17_000);
        HttpUrl url = HttpUrl.get(sf.baseUrl() + "/services/data/v67.0/query").newBuilder()
                .addQueryParameter("q", "SELECT Id FROM Contact WHERE Email = '" + longValue + "'").build();
        try (Response r = http.newCall(new Request.Builder().url(url).header("Authorization", "Bearer " + token)
                .build()).execute()) {
            assertThat(r.code()).isEqualTo(414);
        }
    }

    /** A Composite request of query subrequests, one per statement. */
    private JsonNode composite(List<String> statements, int expectedStatus) throws IOException {
        ObjectNode request = json.createObjectNode();
        ArrayNode subrequests = request.put("allOrNone", false)
                .putArray("compositeRequest");
        for (int i = 0; i < statements.size(); i++) {
            HttpUrl url = HttpUrl.get(sf.baseUrl() + "/services/data/v67.0/query/").newBuilder()
                    .addQueryParameter("q", statements.get(i)).build();
            subrequests.addObject().put("method", "GET").put("url", url.encodedPath() + "?" + url.encodedQuery())
                    .put("referenceId", "q" + i);
        }
        try (Response r = http.newCall(new Request.Builder().url(sf.baseUrl() + "/services/data/v67.0/composite")
                .header("Authorization", "Bearer " + token)
                .post(RequestBody.create(request.toString(), MediaType.get("application/json"))).build()).execute()) {
            assertThat(r.code()).isEqualTo(expectedStatus);
            assertThat(r.header("Sforce-Limit-Info")).matches("api-usage=\\d+/15000");
            return json.readTree(r.body().string());
        }
    }

    @Test
    void aCompositeRequestAnswersEachQueryUnderItsReferenceAndCountsAsOneCall() throws IOException {
        sf.addContact(SalesforceFixture.contact("Ana", "Reyes", "ana@example.org", "(415) 555-2671", true));
        long before = sf.apiUsage();
        // Longer than a GET's URI can hold, well within SOQL's 100,000 characters.
        String longList = "SELECT Id FROM Contact WHERE Email IN ('ana@example.org'"
                + ", 'someone.else@example.org'".repeat(2_000) + ")";

        JsonNode answer = composite(List.of(longList, "SELECT Id FROM Contact WHERE Emial = 'x'",
                "SELECT Id, MobilePhone FROM Contact WHERE MobilePhone IN ('(415) 555-2671')"), 200);

        JsonNode results = answer.path("compositeResponse");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).path("referenceId").asText()).isEqualTo("q0");
        assertThat(results.get(0).path("httpStatusCode").asInt()).isEqualTo(200);
        assertThat(results.get(0).path("body").path("totalSize").asInt()).isEqualTo(1);
        assertThat(results.get(1).path("httpStatusCode").asInt()).isEqualTo(400);
        assertThat(results.get(1).path("body").get(0).path("errorCode").asText()).isEqualTo("INVALID_FIELD");
        assertThat(results.get(2).path("body").path("records").get(0).path("MobilePhone").asText())
                .isEqualTo("(415) 555-2671");
        assertThat(sf.apiUsage() - before).isEqualTo(1);
        assertThat(sf.requests(SalesforceSimulator.Kind.COMPOSITE)).isEqualTo(1);
        assertThat(sf.queries()).hasSize(3);
    }

    @Test
    void aCompositeRequestTakesAtMostFiveQueriesAndAStatementAtMostOneHundredThousandCharacters() throws IOException {
        List<String> six = Collections.nCopies(6, "SELECT Id FROM Contact");

        assertThat(composite(six, 400).get(0).path("message").asText()).contains("at most 5");
        assertThat(sf.queries()).isEmpty();

        String tooLong = "SELECT Id FROM Contact WHERE Email IN ('a@example.org'"
                + ", 'someone.else@example.org'".repeat(4_000) + ")";
        assertThat(tooLong.length()).isGreaterThan(SalesforceSimulator.MAX_SOQL_CHARS);
        JsonNode refused = composite(List.of(tooLong), 200).path("compositeResponse").get(0);
        assertThat(refused.path("httpStatusCode").asInt()).isEqualTo(400);
        assertThat(refused.path("body").get(0).path("errorCode").asText()).isEqualTo("MALFORMED_QUERY");
        assertThat(refused.path("body").get(0).path("message").asText()).contains("100000 characters");
    }
}
