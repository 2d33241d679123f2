package org.crmsync.activecampaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.junit.jupiter.api.Test;

class ActiveCampaignConfigTest {
    private static final String TOKEN = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

    private static Map<String, String> valid() {
        Map<String, String> c = new HashMap<>();
        c.put("api.url", "https://acme.api-us1.com/api/3");
        c.put("api.token", TOKEN);
        c.put("list", "Prospects");
        return c;
    }

    @Test
    void appliesTheDefaults() {
        ActiveCampaignConfig c = ActiveCampaignConfig.from(valid());

        assertThat(c.apiUrl()).isEqualTo("https://acme.api-us1.com/api/3");
        assertThat(c.localIdField()).isEqualTo("SONIS_ID");
        assertThat(c.rateLimit()).isEqualTo(5);
        assertThat(c.bulkThreshold()).isEqualTo(10);
        assertThat(c.importPollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.importTimeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void declaresTheHttpSettingsEveryConnectorTakesWithTheirDefaults() {
        assertThat(new ActiveCampaignConnectorProvider().configKeys()).extracting(ConfigKey::name).contains(
                "http.connect.timeout", "http.read.timeout", "http.max.attempts", "http.call.deadline",
                "http.max.retry.after");
        ActiveCampaignConfig c = ActiveCampaignConfig.from(valid());
        assertThat(c.httpSettings().readTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.httpSettings().callDeadline()).isEqualTo(Duration.ofMinutes(2));

        Map<String, String> values = valid();
        values.put("http.read.timeout", "45s");
        values.put("http.max.attempts", "6");
        assertThat(ActiveCampaignConfig.from(values).httpSettings().readTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(ActiveCampaignConfig.from(values).httpSettings().maxAttempts()).isEqualTo(6);

        values.put("http.connect.timeout", "0s");
        values.put("http.max.attempts", "0");
        assertThat(ActiveCampaignConfig.validate(values)).extracting(ConfigProblem::key)
                .containsExactlyInAnyOrder("http.connect.timeout", "http.max.attempts");
    }

    @Test
    void takesTheApiUrlWholeAddingApi3OnlyToABareAccountUrl() {
        Map<String, String> c = valid();
        c.put("api.url", "https://acme.api-us1.com/api/3/");
        assertThat(ActiveCampaignConfig.from(c).apiUrl()).isEqualTo("https://acme.api-us1.com/api/3");
        c.put("api.url", "https://school.activehosted.com");
        assertThat(ActiveCampaignConfig.from(c).apiUrl()).isEqualTo("https://school.activehosted.com/api/3");
    }

    @Test
    void reportsEveryProblemAtOnceWithoutPrintingTheToken() {
        Map<String, String> c = new HashMap<>();
        c.put("api.url", "https://acme.api-us1.com/admin/api.php");
        c.put("api.token", "has space " + TOKEN);
        c.put("rate.limit", "0");
        c.put("bulk.threshold", "0");
        c.put("import.timeout", "0s");
        c.put("colour", "blue");

        List<ConfigProblem> problems = ActiveCampaignConfig.validate(c);

        assertThat(problems).extracting(ConfigProblem::key).containsExactlyInAnyOrder("colour", "list", "api.url",
                "api.token", "rate.limit", "bulk.threshold", "import.timeout");
        assertThat(problems.toString()).doesNotContain(TOKEN).contains("API v3");
        assertThatThrownBy(() -> ActiveCampaignConfig.from(c)).isInstanceOf(CrmSyncException.class)
                .hasMessageContaining("7 problems");
    }

    @Test
    void theTokenIsASecretAndNeverPrinted() {
        assertThat(ActiveCampaignConfig.keys()).filteredOn(ConfigKey::secret).extracting(ConfigKey::name)
                .containsExactly("api.token");
        assertThat(ActiveCampaignConfig.from(valid()).toString()).doesNotContain(TOKEN).contains("****");
    }
}
