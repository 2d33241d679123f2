package org.crmsync.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.junit.jupiter.api.Test;

class ConnectorConfigTest {
    private static final String SECRET = "s3cr3t-value";

    private static final List<ConfigKey> KEYS = List.of(
            ConfigKey.required("api.host", ConfigKey.Type.HOST, "your instance's host name"),
            ConfigKey.required("api.user", ConfigKey.Type.STRING, "the API user"),
            ConfigKey.secret("api.password", true, "the API user's password"),
            ConfigKey.optional("page.size", ConfigKey.Type.INT, "200", "records per page"),
            ConfigKey.optional("max.records", ConfigKey.Type.LONG, null, "stop after this many"),
            ConfigKey.optional("sandbox", ConfigKey.Type.BOOLEAN, "false", "use the sandbox"),
            ConfigKey.optional("export.url", ConfigKey.Type.URL, null, "the export file's URL"),
            ConfigKey.optional("lookback", ConfigKey.Type.DURATION, "48h", "how far back to read"),
            ConfigKey.optional("fields", ConfigKey.Type.LIST, null, "extra fields to read"));

    private static Map<String, String> valid() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("api.host", "example.my.salesforce.com");
        m.put("api.user", "sync@example.org");
        m.put("api.password", SECRET);
        return m;
    }

    private static List<String> problemTexts(List<ConfigProblem> problems) {
        return problems.stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void aValidConfigurationHasNoProblems() {
        Map<String, String> values = valid();
        values.put("page.size", "500");
        values.put("sandbox", "TRUE");
        values.put("export.url", "https://example.my.salesforce.com/00O123?export=1&enc=UTF-8&xf=csv&isdtp=p1=CSV");
        values.put("lookback", "PT48H");
        values.put("max.records", "9000000000");

        assertThat(ConnectorConfig.validate(KEYS, values)).isEmpty();
    }

    @Test
    void validateReportsEveryProblemAtOnce() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("api.host", "not a host!");
        values.put("api.passwrd", "typo");
        values.put("page.size", "ten");
        values.put("sandbox", "yes");
        values.put("export.url", "ftp://example.org/file.csv");
        values.put("lookback", "soon");

        List<ConfigProblem> problems = ConnectorConfig.validate(KEYS, values);

        assertThat(problems).extracting(ConfigProblem::key).containsExactlyInAnyOrder(
                "api.passwrd", "api.host", "api.user", "api.password", "page.size", "sandbox", "export.url",
                "lookback");
        assertThat(problemTexts(problems)).contains(
                "api.host: 'not a host!' is not a host name such as crm.example.org",
                "api.user: is required: the API user",
                "api.password: is required: the API user's password",
                "page.size: 'ten' is not a whole number",
                "sandbox: 'yes' must be true or false",
                "export.url: 'ftp://example.org/file.csv' is not an absolute http(s) URL",
                "lookback: 'soon' is not a duration such as PT48H or 48h");
        assertThat(problemTexts(problems)).anySatisfy(p -> assertThat(p)
                .startsWith("api.passwrd: unknown key; known keys are [").contains("api.password"));
    }

    @Test
    void intValuesMustBeWholeNonNegativeAndFitAnInt() {
        assertThat(problemTexts(ConnectorConfig.validate(KEYS, with("page.size", "-1"))))
                .containsExactly("page.size: '-1' must not be negative");
        assertThat(problemTexts(ConnectorConfig.validate(KEYS, with("page.size", "3000000000"))))
                .containsExactly("page.size: '3000000000' is too large");
        assertThat(problemTexts(ConnectorConfig.validate(KEYS, with("page.size", "1.5"))))
                .containsExactly("page.size: '1.5' is not a whole number");
    }

    @Test
    void urlValuesMustBeAbsoluteHttpUrls() {
        assertThat(ConnectorConfig.validate(KEYS, with("export.url", "/relative/path"))).singleElement()
                .extracting(ConfigProblem::message).asString().contains("is not an absolute http(s) URL");
        assertThat(ConnectorConfig.validate(KEYS, with("export.url", "http://exa mple.org"))).singleElement()
                .extracting(ConfigProblem::message).asString().contains("is not a URL");
        assertThat(ConnectorConfig.validate(KEYS, with("export.url", "http://localhost:8080/x"))).isEmpty();
    }

    @Test
    void hostValuesMayCarryASchemeAndPort() {
        assertThat(ConnectorConfig.validate(KEYS, with("api.host", "https://example.org:8443/"))).isEmpty();
        assertThat(ConnectorConfig.validate(KEYS, with("api.host", "example.org/path"))).isNotEmpty();
    }

    @Test
    void aBlankRequiredValueCountsAsMissing() {
        assertThat(problemTexts(ConnectorConfig.validate(KEYS, with("api.user", "  "))))
                .containsExactly("api.user: is required: the API user");
    }

    @Test
    void aSecretValueNeverAppearsInProblems() {
        List<ConfigKey> keys = List.of(
                ConfigKey.secret("api.token", true, "the token"),
                new ConfigKey("pin", ConfigKey.Type.INT, true, true, Optional.empty(), "a numeric secret"),
                new ConfigKey("hook", ConfigKey.Type.URL, false, true, Optional.empty(), "a secret URL"),
                ConfigKey.required("api.host", ConfigKey.Type.HOST, "the host"));
        Map<String, String> values = new LinkedHashMap<>();
        values.put("api.token", SECRET);
        values.put("pin", SECRET);
        values.put("hook", SECRET);
        values.put("api.tokn", SECRET);

        List<ConfigProblem> problems = ConnectorConfig.validate(keys, values);

        assertThat(problems).extracting(ConfigProblem::key)
                .containsExactlyInAnyOrder("api.tokn", "pin", "hook", "api.host");
        assertThat(problemTexts(problems)).noneSatisfy(p -> assertThat(p).contains(SECRET));
        assertThat(problemTexts(problems)).contains("pin: the value is not a whole number");
        CrmSyncException e = ConnectorConfig.invalid("echo", problems);
        assertThat(e.getMessage()).contains("echo configuration has 4 problems").doesNotContain(SECRET);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    }

    @Test
    void aSecretValueNeverAppearsInToString() {
        ConnectorConfig config = ConnectorConfig.of("test", KEYS, valid());

        assertThat(config.toString()).doesNotContain(SECRET).contains("api.password=****")
                .contains("api.user=sync@example.org");
        assertThat(config.secretValues()).containsExactly(SECRET);
        assertThat(config.require("api.password")).isEqualTo(SECRET);
    }

    @Test
    void ofRefusesAnInvalidConfigurationListingEveryProblem() {
        CrmSyncException e = catchThrowableOfType(CrmSyncException.class, () -> ConnectorConfig.of("test", KEYS,
                Map.of("api.password", SECRET, "sandbox", "maybe")));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("test configuration has 3 problems")
                .contains("api.host: is required").contains("api.user: is required")
                .contains("sandbox: 'maybe' must be true or false")
                .doesNotContain(SECRET);
    }

    @Test
    void oneProblemIsWordedInTheSingular() {
        CrmSyncException e = ConnectorConfig.invalid("test", List.of(new ConfigProblem("api.host", "is required")));

        assertThat(e.getMessage()).isEqualTo("test configuration has 1 problem:\n  api.host: is required");
    }

    @Test
    void defaultsApplyWhenAKeyIsNotSet() {
        ConnectorConfig config = ConnectorConfig.of("test", KEYS, valid());

        assertThat(config.get("page.size")).contains("200");
        assertThat(config.getLong("page.size")).hasValue(200);
        assertThat(config.getBoolean("sandbox")).isFalse();
        assertThat(config.getDuration("lookback")).contains(Duration.ofHours(48));
        assertThat(config.get("export.url")).isEmpty();
        assertThat(config.getLong("max.records")).isEmpty();
        assertThat(config.getDuration("export.url")).isEmpty();
        assertThat(config.getList("fields")).isEmpty();
    }

    @Test
    void setValuesOverrideDefaultsAndAreTrimmed() {
        Map<String, String> values = valid();
        values.put("page.size", " 50 ");
        values.put("sandbox", "TRUE");
        values.put("api.user", "  sync@example.org  ");

        ConnectorConfig config = ConnectorConfig.of("test", KEYS, values);

        assertThat(config.getLong("page.size")).hasValue(50);
        assertThat(config.getBoolean("sandbox")).isTrue();
        assertThat(config.require("api.user")).isEqualTo("sync@example.org");
    }

    @Test
    void getListSplitsOnCommasAndDropsBlanks() {
        ConnectorConfig config = ConnectorConfig.of("test", KEYS, with("fields", " School__c, Grade__c ,, ,Year "));

        assertThat(config.getList("fields")).containsExactly("School__c", "Grade__c", "Year");
    }

    @Test
    void getDurationReadsIsoAndUnitSuffixes() {
        assertThat(duration("PT30M")).isEqualTo(Duration.ofMinutes(30));
        assertThat(duration("p2d")).isEqualTo(Duration.ofDays(2));
        assertThat(duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(duration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(duration("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(duration("48h")).isEqualTo(Duration.ofHours(48));
        assertThat(duration("2d")).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void durationsWithoutAKnownUnitAreProblems() {
        for (String bad : new String[] {"48", "h", "5w", "PTX", "ms"}) {
            assertThat(ConnectorConfig.validate(KEYS, with("lookback", bad))).as(bad).singleElement()
                    .extracting(ConfigProblem::key).isEqualTo("lookback");
        }
    }

    @Test
    void readingAnUndeclaredKeyIsAProgrammingError() {
        ConnectorConfig config = ConnectorConfig.of("test", KEYS, valid());

        assertThatThrownBy(() -> config.get("api.pasword")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'api.pasword' is not declared");
    }

    @Test
    void requireOfAnUnsetOptionalKeyNamesTheKeyAndItsDoc() {
        ConnectorConfig config = ConnectorConfig.of("test", KEYS, valid());

        CrmSyncException e = catchThrowableOfType(CrmSyncException.class, () -> config.require("export.url"));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("export.url is required").contains("the export file's URL");
    }

    @Test
    void aKeyDeclaredTwiceIsRefused() {
        List<ConfigKey> twice = List.of(ConfigKey.required("api.host", ConfigKey.Type.HOST, "a"),
                ConfigKey.required("api.host", ConfigKey.Type.STRING, "b"));

        assertThatThrownBy(() -> ConnectorConfig.validate(twice, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'api.host' is declared twice");
    }

    @Test
    void keyNamesMustBeLowerCase() {
        assertThatThrownBy(() -> ConfigKey.required("Api.Host", ConfigKey.Type.HOST, "doc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Api.Host");
    }

    private static final List<ConfigKey> CONSTRAINED = List.of(
            ConfigKey.optional("page.size", ConfigKey.Type.INT, "2000", "page size")
                    .constrained(ConfigConstraint.range(200, 2000, "what the CRM accepts")),
            ConfigKey.optional("source", ConfigKey.Type.STRING, "api", "where to read")
                    .constrained(ConfigConstraint.oneOf("api", "export")),
            ConfigKey.optional("export.url", ConfigKey.Type.URL, null, "the export link")
                    .constrained(ConfigConstraint.endsWith("=CSV", "copy the report's CSV link"),
                            ConfigConstraint.requiredWhen("source", "api", "export")),
            ConfigKey.optional("field", ConfigKey.Type.STRING, null, "a field")
                    .constrained(ConfigConstraint.matching(java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_]*"),
                            "a field API name such as LeadSource")),
            ConfigKey.optional("poll", ConfigKey.Type.DURATION, "2s", "poll interval")
                    .constrained(ConfigConstraint.durationRange(Duration.ofMillis(100), Duration.ofMinutes(5))),
            ConfigKey.secret("token", false, "the API token")
                    .constrained(ConfigConstraint.matching(java.util.regex.Pattern.compile("[0-9a-f]{8,}"), "hex")));

    @Test
    void declaredConstraintsAreCheckedWithEveryOtherProblemAtOnceAndASecretIsNeverQuoted() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("page.size", "50");
        bad.put("source", "export");
        bad.put("field", "Bad Name!");
        bad.put("poll", "10m");
        bad.put("token", "not-hex-SECRET");

        List<ConfigProblem> problems = ConnectorConfig.validate(CONSTRAINED, bad);

        assertThat(problems).extracting(ConfigProblem::toString).containsExactly(
                "page.size: '50' is outside 200 to 2000, what the CRM accepts",
                "export.url: is required when source is export",
                "field: 'Bad Name!' is not a field API name such as LeadSource",
                "poll: '10m' is outside PT0.1S to PT5M",
                "token: the value is not hex");
        assertThat(ConnectorConfig.validate(CONSTRAINED, Map.of("source", "API", "export.url",
                "https://x.example/r?export=1&xf=csv"))).isEmpty();
        assertThat(ConnectorConfig.validate(CONSTRAINED, Map.of("export.url", "https://x.example/r")))
                .extracting(ConfigProblem::toString)
                .containsExactly("export.url: 'https://x.example/r' does not end in =CSV; copy the report's CSV link");
    }

    @Test
    void aSecretValuePrintsMaskedAndIsRevealedOnlyOnPurpose() {
        ConnectorConfig config = ConnectorConfig.of("test", CONSTRAINED, Map.of("token", "0123abcd9999"));

        Secret token = config.secret("token").orElseThrow();

        assertThat(token).hasToString("****");
        assertThat("token=" + token).doesNotContain("0123abcd");
        assertThat(token.reveal()).isEqualTo("0123abcd9999");
        assertThatThrownBy(() -> config.secret("source")).hasMessageContaining("not declared secret");
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> m = valid();
        m.put(key, value);
        return m;
    }

    private static Duration duration(String value) {
        return ConnectorConfig.of("test", KEYS, with("lookback", value)).getDuration("lookback").orElseThrow();
    }
}
