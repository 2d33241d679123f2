package org.crmsync.activecampaign.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActiveCampaignClientTest {
    @Test
    void timestampsCarryTheAccountsOffsetAndZeroDatesAreNone() {
        assertThat(ActiveCampaignClient.parseTimestamp("2018-09-28T13:50:41-05:00"))
                .hasValue(Instant.parse("2018-09-28T18:50:41Z"));
        assertThat(ActiveCampaignClient.parseTimestamp("2018-09-28 13:50:41")).hasValue(Instant.parse("2018-09-28T13:50:41Z"));
        assertThat(ActiveCampaignClient.parseTimestamp("0000-00-00 00:00:00")).isEmpty();
        assertThat(ActiveCampaignClient.parseTimestamp(null)).isEmpty();
    }

    @Test
    void readsStringsAndNumbersAlikeAndTheCapitalSOfSuccess() throws JsonProcessingException {
        AcJson.BulkImportResponse ok = ActiveCampaignClient.JSON.readValue("{\"Success\":1,\"queued_contacts\":1,"
                + "\"batchId\":\"b\",\"message\":\"Contact import queued\"}", AcJson.BulkImportResponse.class);
        AcJson.ContactsPage page = ActiveCampaignClient.JSON.readValue("{\"contacts\":[{\"id\":113}],"
                + "\"contactLists\":[{\"contact\":\"113\",\"list\":1,\"status\":2}],\"meta\":{\"total\":\"6\"}}",
                AcJson.ContactsPage.class);

        assertThat(ok.queued()).isTrue();
        assertThat(page.contacts().get(0).id()).isEqualTo("113");
        assertThat(page.contactLists().get(0).status()).isEqualTo("2");
        assertThat(page.meta().totalOr(-1)).isEqualTo(6);
    }

    /** The statuses of bulk-import-status-info: waiting, claimed, active, completed, failed, interrupted. */
    @Test
    void importStatusesTheImporterWillNotChangeEndTheWaitAndFalseMeansNoStatusYet() throws JsonProcessingException {
        AcJson.ImportInfo early = ActiveCampaignClient.JSON.readValue("{\"status\":false,\"success\":[],"
                + "\"failure\":[]}", AcJson.ImportInfo.class);
        ImportInfo noStatusYet = new ImportInfo(early.status(), early.success(), early.failure());

        assertThat(noStatusYet.inProgress()).isTrue();
        for (String s : List.of("waiting", "claimed", "active")) {
            assertThat(new ImportInfo(s, null, null).inProgress()).as(s).isTrue();
            assertThat(new ImportInfo(s, null, null).ended()).as(s).isFalse();
        }
        assertThat(new ImportInfo("completed", null, null).completed()).isTrue();
        assertThat(new ImportInfo("completed", null, null).ended()).isFalse();
        for (String s : List.of("failed", "interrupted")) {
            ImportInfo info = new ImportInfo(s, null, null);
            assertThat(info.ended()).as(s).isTrue();
            assertThat(info.inProgress()).as(s).isFalse();
            assertThat(info.completed()).as(s).isFalse();
        }
    }

    @Test
    void bulkPayloadsUseTheImportersShapeAndLeaveOutAbsentValues() {
        ImportContact c = new ImportContact(new ContactData("a@example.org", "Ada", null, null, Map.of("7", "S1")),
                List.of("2"), List.of(), true);

        String body = ActiveCampaignClient.bulkPayload(List.of(c));

        assertThat(body).isEqualTo("{\"contacts\":[{\"email\":\"a@example.org\",\"first_name\":\"Ada\","
                + "\"fields\":[{\"id\":7,\"value\":\"S1\"}],\"subscribe\":[{\"listid\":\"2\"}],"
                + "\"exclude_automations\":true}]}");
        assertThat(ActiveCampaignClient.bulkPayloadBytes(List.of(c))).isEqualTo(body.length());
    }
}
