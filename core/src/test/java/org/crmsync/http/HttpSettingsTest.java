package org.crmsync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.ConnectorConfig;
import org.junit.jupiter.api.Test;

class HttpSettingsTest {
    @Test
    void declaresTheKeysEveryConnectorTakesWithTheirDefaults() {
        assertThat(HttpSettings.configKeys()).extracting(ConfigKey::name).containsExactly("http.connect.timeout",
                "http.read.timeout", "http.max.attempts", "http.call.deadline", "http.max.retry.after");
        assertThat(HttpSettings.configKeys()).allSatisfy(k -> {
            assertThat(k.required()).isFalse();
            assertThat(k.secret()).isFalse();
            assertThat(k.defaultValue()).isPresent();
        });
        HttpSettings fromDefaults = HttpSettings.from(ConnectorConfig.of("x", HttpSettings.configKeys(), Map.of()));
        assertThat(fromDefaults.toString()).isEqualTo(HttpSettings.defaults().toString());
        assertThat(HttpSettings.defaults().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(HttpSettings.defaults().readTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(HttpSettings.defaults().maxAttempts()).isEqualTo(4);
        assertThat(HttpSettings.defaults().callDeadline()).isEqualTo(Duration.ofMinutes(2));
        assertThat(HttpSettings.defaults().maxRetryAfter()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void readsAConnectorsConfiguration() {
        List<ConfigKey> keys = new ArrayList<>(HttpSettings.configKeys());
        keys.add(ConfigKey.required("api.url", ConfigKey.Type.URL, "the API"));
        ConnectorConfig config = ConnectorConfig.of("x", keys, Map.of("api.url", "https://crm.example.com",
                "http.connect.timeout", "2s", "http.read.timeout", "PT45S", "http.max.attempts", "2",
                "http.call.deadline", "5m", "http.max.retry.after", "0s"));

        HttpSettings s = HttpSettings.from(config);

        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(s.maxAttempts()).isEqualTo(2);
        assertThat(s.callDeadline()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.maxRetryAfter()).isZero();
    }

    @Test
    void theDeclaredKeysReportValuesOutOfRangeAndBadTypesEachOnce() {
        Map<String, String> values = Map.of("http.connect.timeout", "0s", "http.read.timeout", "soon",
                "http.max.attempts", "0", "http.call.deadline", "0ms");

        List<ConfigProblem> problems = ConnectorConfig.validate(HttpSettings.configKeys(), values);

        assertThat(problems).extracting(ConfigProblem::key).containsExactly("http.connect.timeout",
                "http.read.timeout", "http.max.attempts", "http.call.deadline");
        assertThat(problems.toString()).contains("'0s' is outside").contains("1 means no retry")
                .contains("'soon' is not a duration");
    }

    @Test
    void theBuilderNamesEveryInvalidValueByItsKey() {
        assertThatThrownBy(() -> HttpSettings.builder().readTimeout(Duration.ZERO).maxAttempts(0)
                .maxRetryAfter(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http.read.timeout").hasMessageContaining("http.max.attempts")
                .hasMessageContaining("http.max.retry.after");
    }

    @Test
    void durationsAreWrittenForPeople() {
        assertThat(HttpSettings.format(Duration.ofMillis(500))).isEqualTo("500 ms");
        assertThat(HttpSettings.format(Duration.ofSeconds(90))).isEqualTo("90 s");
        assertThat(HttpSettings.format(Duration.ofMinutes(2))).isEqualTo("2 min");
        assertThat(HttpSettings.format(Duration.ofSeconds(150))).isEqualTo("2 min 30 s");
    }
}
