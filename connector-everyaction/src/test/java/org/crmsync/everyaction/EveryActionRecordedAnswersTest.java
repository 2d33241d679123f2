package org.crmsync.everyaction;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.crmsync.CrmSyncException;
import org.crmsync.SyncDirection;
import org.crmsync.everyaction.internal.ExportJob;
import org.crmsync.everyaction.internal.VanPerson;
import org.crmsync.mapping.RecordSource;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.policy.MatchKey;
import org.crmsync.spi.ChangeFeed;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncCursor;
import org.crmsync.spi.WriteResult;
import org.crmsync.testing.MutableClock;
import org.crmsync.testing.RecordingSleeper;
import org.crmsync.testing.sim.SimulatorServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * VAN's answers as others recorded them ({@code src/test/resources/recorded}, sources in its README),
 * replayed to the connector: the client reads VAN's real shapes, not only the simulator's.
 */
class EveryActionRecordedAnswersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MutableClock clock = MutableClock.at("2021-10-11T12:00:00Z");
    private final List<String> requests = new ArrayList<>();
    private final Map<String, Function<Request, ResponseDefinition>> answers = new ConcurrentHashMap<>();
    private final SimulatorServer server = SimulatorServer.start("recorded-van", this::answer);
    private Connector connector;

    @AfterEach
    void stop() {
        if (connector != null) {
            connector.close();
        }
        server.close();
    }

    private ResponseDefinition answer(Request request) {
        String line = request.getMethod().getName() + " " + request.getUrl();
        requests.add(line);
        String path = request.getMethod().getName() + " " + request.getUrl().replaceAll("\\?.*$", "");
        Function<Request, ResponseDefinition> a = answers.get(path);
        return a != null ? a.apply(request) : aResponse().withStatus(599).withBody("not recorded: " + path).build();
    }

    private static String recorded(String name) {
        try (InputStream in = EveryActionRecordedAnswersTest.class.getResourceAsStream("/recorded/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void answer(String path, int status, String fixture) {
        answers.put(path, r -> aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8")
                .withBody(recorded(fixture)).build());
    }

    private ConnectorSession session(SyncDirection direction, String mode) {
        connector = ConnectorRegistry.load().create(EveryActionConnectorProvider.ID, Map.of("api.host", server.baseUrl(),
                "app.name", "recorded", "api.key", "7c9e6679-7425-40de-944b-e07fc1f90ae7", "database.mode", mode,
                "http.max.attempts", "1"), ConnectorContext.forLocalSimulator(clock, new RecordingSleeper(clock)));
        return connector.open(new DirectContext(EveryActionMapping.defaults(), new EveryActionConnectorProvider()
                .policyPreset().build(), clock, direction));
    }

    @Test
    void parsonsRecordedPersonReadsAsACellPhoneWithAnUnknownSmsOptInAndItsPreferredAddress() {
        answer("GET /v4/people/19722445", 200, "parsons_get_person_response.json");

        Map<String, RemoteRecord> read;
        try (ConnectorSession s = session(SyncDirection.INBOUND, "1")) {
            read = s.read(List.of("19722445"));
        }

        assertThat(requests).containsExactly("GET /v4/people/19722445?$expand=phones,emails,addresses");
        RemoteRecord bob = read.get("19722445");
        assertThat(bob.fields()).containsEntry("firstName", "Bob").containsEntry("lastName", "Smith")
                .containsEntry("cellPhone", "+14142020792").containsEntry("smsOptInStatus", "Unknown")
                .containsEntry("addressLine1", "900 N Washtenaw Ave").containsEntry("city", "Chicago")
                .containsEntry("stateOrProvince", "IL").containsEntry("zipOrPostalCode", "60622-4455")
                .containsEntry("countryCode", "US").doesNotContainKey("email");
        assertThat(EveryActionMapping.defaults().toLocal(bob.fields(), RecordSource.API).values())
                .containsEntry("phone_number", "+14142020792").doesNotContainKey("opt_in_status");
    }

    @Test
    void parsonsRecordedFindAnswerHasNoCollectionsAndTheRedirectIsNotFollowedBlindly() throws IOException {
        VanPerson unexpanded = VanPerson.parse(JSON.readTree(recorded("parsons_find_people_response.json")));
        assertThat(unexpanded.phones()).isEmpty();
        assertThat(unexpanded.fields()).containsOnlyKeys("vanId", "firstName", "lastName");

        answers.put("POST /v4/people/find", r -> aResponse().withStatus(302)
                .withHeader("Location", server.baseUrl() + "/v4/people/19722445").build());
        answer("GET /v4/people/19722445", 200, "parsons_get_person_response.json");
        Profile bob = Profile.builder().localId("L1").firstName("Bob").lastName("Smith").phoneNumber("+14142020792")
                .optInStatus(OptInStatus.OPTED_OUT).build();

        Map<String, List<RemoteRecord>> found;
        try (ConnectorSession s = session(SyncDirection.OUTBOUND, "1")) {
            found = s.lookup(List.of(new LookupRequest("L1", bob, List.of(MatchKey.PHONE, MatchKey.EMAIL))));
        }

        assertThat(requests).containsExactly("POST /v4/people/find",
                "GET /v4/people/19722445?$expand=phones,emails,addresses");
        assertThat(found.get("L1")).singleElement().satisfies(r -> assertThat(r.remoteId()).isEqualTo("19722445"));
    }

    @Test
    void parsonsRecordedPendingJobIsKeptInTheCursorAndItsCompleteJobIsRead() throws IOException {
        answer("POST /v4/changedEntityExportJobs", 201, "parsons_changed_entities_pending.json");
        answer("GET /v4/changedEntityExportJobs/2170181229", 200, "parsons_changed_entities_pending.json");

        ChangeFeed feed;
        try (ConnectorSession s = session(SyncDirection.INBOUND, "1")) {
            feed = s.readChanges(SyncCursor.start());
        }

        assertThat(feed).isInstanceOfSatisfying(ChangeFeed.NotReady.class, n -> {
            assertThat(n.cursor().get("job")).hasValue("2170181229");
            assertThat(n.what()).contains("2170181229", "pending");
        });
        ExportJob complete = ExportJob.parse(JSON.readTree(recorded("parsons_changed_entities_complete.json")));
        assertThat(complete.status()).isEqualTo(ExportJob.Status.COMPLETE);
        assertThat(complete.dateChangedTo()).hasValue(Instant.parse("2021-10-11T04:00:00Z"));
        assertThat(complete.files()).singleElement().satisfies(f -> {
            assertThat(f.downloadUrl()).isEqualTo("https://box.com/file.csv");
            assertThat(f.dateExpired()).hasValue(Instant.parse("2021-11-03T19:27:01.8687339Z"));
        });
        assertThat(complete.exportedRecordCount()).isEqualTo(6110);
        ExportJob documented = ExportJob.parse(JSON.readTree(recorded("everyaction_docs_completed_job.json")));
        assertThat(documented.excludeChangesFromSelf()).as("a string \"true\", as the vendor prints it").hasValue(true);
    }

    @Test
    void parsonsRecordedKeyProfileHasBothDatabasesSoEitherModePasses() {
        answer("GET /v4/apiKeyProfiles", 200, "parsons_api_key_profiles.json");

        try (ConnectorSession s = session(SyncDirection.OUTBOUND, "1")) {
            assertThat(s.preflight()).isEmpty();
        }
        connector.close();
        try (ConnectorSession s = session(SyncDirection.OUTBOUND, "0")) {
            assertThat(s.preflight()).isEmpty();
        }
    }

    @Test
    void parsonsRecordedErrorEnvelopesBecomeClearMessagesWithTheReferenceCode() {
        answer("POST /v4/people/19722445", 400, "parsons_error_invalid_parameter.json");
        answer("GET /v4/people/0", 400, "parsons_error_internal.json");

        List<WriteResult> results;
        try (ConnectorSession s = session(SyncDirection.OUTBOUND, "1")) {
            results = s.write(List.of(RemoteWrite.update("L1", "19722445", Map.of("firstName", "Bob"),
                    OptInStatus.UNKNOWN)));
            assertThatThrownBy(() -> s.read(List.of("0"))).isInstanceOfSatisfying(CrmSyncException.class, e ->
                    assertThat(e.getMessage()).contains("INTERNAL_SERVER_ERROR: An unknown error occurred",
                            "reference code 88A111-E2FF8", "HTTP 400"));
        }

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(WriteResult.Status.FAILED);
            assertThat(r.errorCode()).hasValue("INVALID_PARAMETER");
            assertThat(r.message()).contains("'resultCodeId' must be a valid result code in the current context.",
                    "(properties: resultCodeId)");
        });
    }
}
