package org.crmsync.actionkit.internal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.util.List;
import java.util.Map;
import org.crmsync.http.HttpClients;
import org.crmsync.http.HttpSettings;
import org.crmsync.spi.ApiCallMeter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against ActionKit's own recorded answers, not the simulator's: each answer below is the
 * response of a VCR cassette recorded against a real ActionKit instance (act.sumofus.org) and published
 * in changelab-hq/actionkit_connector, {@code spec/fixtures/cassettes/} (reference notes §4), replayed by a
 * plain WireMock server: status, the headers the client reads, and the body as recorded. Where a
 * cassette recorded another method or resource than the connector sends (a PUT where the connector
 * PATCHes, a petition page where it updates a user), the answer is replayed to the connector's call:
 * it is the answer's shape the client must read.
 */
class RecordedAnswersTest {
    private final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private final ActionKitClient client;

    RecordedAnswersTest() {
        server.start();
        client = new ActionKitClient("127.0.0.1:" + server.port(), "api-user@example.org", "recorded-secret-1", true,
                HttpClients.builder().meter(ApiCallMeter::unlimited).allowPlainHttp(true).build(), HttpSettings.defaults(),
                2);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private void replay(ResponseDefinitionBuilder answer) {
        server.stubFor(any(anyUrl()).willReturn(answer));
    }

    /**
     * rest_user_duplicate_email.yml (commit ccf1008): 409 CONFLICT, the other user in {@code Location},
     * and the errors dict naming the email.
     */
    @Test
    void aDuplicateEmailIs409WithTheOtherUsersLocationAndTheErrorsDictMasked() {
        replay(aResponse().withStatus(409).withStatusMessage("CONFLICT").withHeader("Content-Type", "application/json")
                .withHeader("Location", "https://act.sumofus.org/rest/v1/user/991564/")
                .withBody("{\"errors\": {\"email\": [\"Conflict on unique key 'email' for value 'test@example.com'\"]}}"));

        ActionKitClient.Written w = client.createUser(ActionKitJson.MAPPER.createObjectNode().put("email",
                "test@example.com"));

        assertThat(w).isInstanceOfSatisfying(ActionKitClient.Written.Conflict.class, c -> {
            assertThat(c.existingId()).contains("991564");
            assertThat(c.summary()).contains("email: Conflict on unique key 'email' for value")
                    .doesNotContain("test@example.com");
        });
    }

    /**
     * actions_page_400.yml (commit dcdca27): action processing's 400 for a page it cannot find, a body not
     * wrapped in "errors".
     */
    @Test
    void anUnknownPageIsA400WithThePageMessage() {
        replay(aResponse().withStatus(400).withStatusMessage("BAD REQUEST").withHeader("Content-Type", "application/json")
                .withBody("{\"page\": \"Unable to find a page for processing. You sent page=i-do-not-exist-xyz-123.\"}"));

        ActionKitClient.Written w = client.postAction(ActionKitJson.MAPPER.createObjectNode().put("page",
                "i-do-not-exist-xyz-123").put("email", "foo+113@example.com"));

        assertThat(w).isInstanceOfSatisfying(ActionKitClient.Written.Refused.class, r -> {
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.unknownPage()).isTrue();
            assertThat(r.summary()).contains("page: Unable to find a page for processing. You sent"
                    + " page=i-do-not-exist-xyz-123.");
        });
    }

    /**
     * actions_new_user.yml (commit f9edf1a): 201 CREATED, the typed action's {@code Location}, and the
     * action with its fields (the {@code action_} prefix stripped) and its user. The recorded
     * {@code ip_address} is replaced by a documentation address.
     */
    @Test
    void aPostedActionGivesItsIdItsUserAndItsFieldsWithoutThePrefix() {
        replay(aResponse().withStatus(201).withStatusMessage("CREATED").withHeader("Content-Type", "application/json")
                .withHeader("Location", "https://act.sumofus.org/rest/v1/petitionaction/60078399/")
                .withBody("{\"akid\": \".10556243.z0PClx\", \"created_at\": \"2016-01-21T16:20:09.624679\","
                        + " \"created_user\": true, \"fields\": {\"age\": \"101\", \"bar\": \"Bar\", \"foo\": \"Foo\"},"
                        + " \"id\": 60078399, \"ip_address\": \"192.0.2.1\", \"is_forwarded\": false, \"link\": null,"
                        + " \"mailing\": null, \"opq_id\": \"\", \"page\": \"/rest/v1/petitionpage/8651/\","
                        + " \"redirect_url\": \"/cms/thanks/foo-bar/?action_id=60078399&akid=.10556243.z0PClx&ar=1&rd=1\","
                        + " \"referring_mailing\": null, \"referring_user\": null, \"resource_uri\":"
                        + " \"/rest/v1/petitionaction/60078399/\", \"source\": \"restful_api\", \"status\": \"complete\","
                        + " \"subscribed_user\": true, \"taf_emails_sent\": null, \"type\": \"Petition\", \"updated_at\":"
                        + " \"2016-01-21T16:20:09.659505\", \"user\": \"/rest/v1/user/10556243/\"}"));

        ActionKitClient.Written w = client.postAction(ActionKitJson.MAPPER.createObjectNode().put("page", "foo-bar")
                .put("email", "1453393208@example.com").put("action_age", "101"));

        assertThat(w).isInstanceOfSatisfying(ActionKitClient.Written.Done.class, d -> {
            assertThat(d.id()).contains("60078399");
            assertThat(d.body()).hasValueSatisfying(b -> {
                assertThat(ActionKitJson.idOf(ActionKitJson.text(b, "user"))).contains("10556243");
                assertThat(ActionKitJson.text(b.path("fields"), "age")).isEqualTo("101");
                assertThat(ActionKitJson.time(ActionKitJson.text(b, "created_at")))
                        .contains(java.time.Instant.parse("2016-01-21T16:20:09Z"));
            });
        });
    }

    /**
     * rest_patch_petition_page_404.yml (commit cd4a7f2): 404 NOT FOUND with an empty text/html body and
     * {@code Content-Length: 0}, which a client must not parse as JSON.
     */
    @Test
    void aMissingRecordIsAnEmptyHtml404ReadAsNotFound() {
        replay(aResponse().withStatus(404).withStatusMessage("NOT FOUND").withHeader("Content-Type",
                "text/html; charset=utf-8").withHeader("Content-Length", "0").withBody(""));

        ActionKitClient.Written w = client.updateUser("99999999999", ActionKitJson.MAPPER.createObjectNode()
                .put("first_name", "x"));

        assertThat(w).isInstanceOfSatisfying(ActionKitClient.Written.Refused.class, r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.summary()).contains("not found");
        });
    }

    /** rest_user_success.yml (commit ccf1008): 204 NO CONTENT, an empty text/html body, for an update. */
    @Test
    void anUpdateAnsweredWithAnEmpty204IsDone() {
        replay(aResponse().withStatus(204).withStatusMessage("NO CONTENT").withHeader("Content-Type",
                "text/html; charset=utf-8").withHeader("Content-Length", "0"));

        ObjectNode changes = ActionKitJson.MAPPER.createObjectNode();
        changes.putObject("fields").put("mobile_subscriber", "false");

        assertThat(client.updateUser("8244194", changes)).isInstanceOf(ActionKitClient.Written.Done.class);
    }

    /**
     * list_tags.yml (commit dd773c5), its second answer: a collection whose {@code meta.next} is a
     * host-relative path with its query string. The recorded page held 100 tags; the first three are kept.
     */
    @Test
    void aCollectionsNextPageIsAHostRelativePathWithItsQuery() {
        replay(aResponse().withStatus(200).withStatusMessage("OK").withHeader("Content-Type", "application/json")
                .withBody("{\"meta\": {\"limit\": 100, \"next\": \"/rest/v1/tag/?_offset=100&_limit=100\", \"offset\": 0,"
                        + " \"previous\": null, \"total_count\": 1772}, \"objects\": [{\"name\": \"ControlShift\","
                        + " \"resource_uri\": \"/rest/v1/tag/1405/\"}, {\"name\": \"sumofus ControlShift\", \"resource_uri\":"
                        + " \"/rest/v1/tag/1406/\"}, {\"name\": \"*Welcome_Sequence\", \"resource_uri\":"
                        + " \"/rest/v1/tag/1000/\"}]}"));

        ActionKitClient.Collection page = client.collection(client.collectionUrl("tag", List.of(Map.entry("_limit",
                "100"))), "tags");

        assertThat(page.objects()).hasSize(3);
        assertThat(page.next()).contains("/rest/v1/tag/?_offset=100&_limit=100");
        assertThat(page.totalCount()).isEqualTo(1772);
        // The request had the trailing slash whose absence the same cassette answered with a 301.
        assertThat(server.getAllServeEvents().get(0).getRequest().getUrl()).startsWith("/rest/v1/tag/?");
        page = client.next(page.next().get(), "tags");
        assertThat(server.getAllServeEvents().get(0).getRequest().getUrl()).isEqualTo("/rest/v1/tag/?_offset=100&_limit=100");
    }
}
