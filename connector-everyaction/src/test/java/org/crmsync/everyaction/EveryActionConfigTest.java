package org.crmsync.everyaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.spi.ConfigProblem;
import org.junit.jupiter.api.Test;

class EveryActionConfigTest {
    private static final String KEY = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

    @Test
    void theDefaultsAreThePublicHostAndMyCampaign() {
        EveryActionConfig c = EveryActionConfig.from(Map.of("app.name", "mc.sync", "api.key", KEY));

        assertThat(c.baseUrl()).isEqualTo("https://api.securevan.com/v4/");
        assertThat(c.databaseMode()).isEqualTo(1);
        assertThat(c.password()).isEqualTo(KEY + "|1");
        assertThat(c.newEmailSubscribed()).isFalse();
        assertThat(c.exportFields()).isEmpty();
    }

    @Test
    void theApiHostIsABareHostOrAUrlAndTheConnectorAddsTheRest() {
        assertThat(EveryActionConfig.baseUrl("api.securevan.com")).hasValue("https://api.securevan.com/v4/");
        assertThat(EveryActionConfig.baseUrl("https://API.securevan.com/")).hasValue("https://api.securevan.com/v4/");
        assertThat(EveryActionConfig.baseUrl("https://api.securevan.com/v4")).hasValue("https://api.securevan.com/v4/");
        assertThat(EveryActionConfig.baseUrl("http://127.0.0.1:8089")).hasValue("http://127.0.0.1:8089/v4/");
        assertThat(EveryActionConfig.baseUrl("https://app.everyaction.com/Home")).isEmpty();
        assertThat(EveryActionConfig.baseUrl("ftp://api.securevan.com")).isEmpty();
        assertThat(EveryActionConfig.baseUrl("api.securevan.com/v4?x=1")).isEmpty();
    }

    @Test
    void everyProblemIsReportedAtOnceAndTheKeyIsNeverQuoted() {
        List<ConfigProblem> problems = EveryActionConfig.validate(Map.of("api.host", "https://x.org/some/path",
                "api.key", KEY + "|1", "database.mode", "2", "export.poll.interval", "soon", "surprise", "1",
                "export.fields", "email=Email"));

        assertThat(problems).extracting(ConfigProblem::key).containsExactlyInAnyOrder("surprise", "api.host", "app.name",
                "api.key", "database.mode", "export.poll.interval", "export.fields");
        assertThat(problems.toString()).doesNotContain(KEY).contains("database.mode", "cellPhone and smsOptInStatus");
        assertThatThrownBy(() -> EveryActionConfig.from(Map.of("api.key", KEY + "|1")))
                .isInstanceOfSatisfying(CrmSyncException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("app.name", "api.key").doesNotContain(KEY);
                });
    }

    @Test
    void theConfigurationPrintsNoSecret() {
        EveryActionConfig c = EveryActionConfig.from(Map.of("app.name", "mc.sync", "api.key", KEY, "database.mode", "0"));

        assertThat(c.toString()).doesNotContain(KEY).contains("apiKey=****", "databaseMode=0");
        assertThat(new EveryActionConnectorProvider().configKeys()).filteredOn(k -> k.name().equals("api.key"))
                .singleElement().satisfies(k -> assertThat(k.secret()).isTrue());
    }

    @Test
    void exportFieldsNameTheColumnsOfStandardValues() {
        EveryActionConfig c = EveryActionConfig.from(Map.of("app.name", "a", "api.key", KEY, "export.fields",
                "cellPhone=CellPhone, smsOptInStatus=CellSms, email=Email"));

        assertThat(c.exportFields()).containsExactly(Map.entry("cellPhone", "CellPhone"),
                Map.entry("smsOptInStatus", "CellSms"), Map.entry("email", "Email"));
        assertThat(EveryActionConfig.exportFields("cellPhone=CellPhone,smsOptInStatus=S,favouriteColour=Colour")).isEmpty();
    }
}
