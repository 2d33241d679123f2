package org.crmsync.actionkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.spi.ConfigProblem;
import org.crmsync.spi.ConnectorRegistry;
import org.crmsync.testing.CapturedLog;
import org.junit.jupiter.api.Test;

/** The configuration: declared keys, every problem at once, the host as the seed gives it, no secret printed. */
class ActionKitConfigTest {
    private static Map<String, String> config(String... kv) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(ActionKitConfig.API_HOST, "act.example.org");
        c.put(ActionKitConfig.LOGIN, "sync@example.org");
        c.put(ActionKitConfig.PASSWORD, "very-secret-pass");
        for (int i = 0; i < kv.length; i += 2) {
            c.put(kv[i], kv[i + 1]);
        }
        return c;
    }

    @Test
    void theProviderIsFoundByItsIdWithItsKeys() {
        var provider = ConnectorRegistry.load().provider("actionkit");

        assertThat(provider.displayName()).isEqualTo("ActionKit");
        assertThat(provider.configKeys()).extracting(k -> k.name()).contains("api.host", "login", "password",
                "optin.field", "call.pages", "upload.page", "requests.in.flight", "http.read.timeout");
        assertThat(provider.configKeys()).filteredOn(k -> k.secret()).extracting(k -> k.name()).containsExactly("password");
    }

    @Test
    void aUrlIsAcceptedAsTheHostAndTheWarningSaysWhatWasRemoved() {
        CapturedLog log = CapturedLog.during(() -> ActionKitConfig.from(config(ActionKitConfig.API_HOST,
                "https://Act.Example.org/rest/v1/")));
        ActionKitConfig c = ActionKitConfig.from(config(ActionKitConfig.API_HOST, "https://Act.Example.org/rest/v1/"));

        assertThat(c.host()).isEqualTo("act.example.org");
        assertThat(ActionKitConfig.from(config()).host()).isEqualTo("act.example.org");
        assertThat(log.text()).contains("api.host").contains("using its host act.example.org");
    }

    @Test
    void everyProblemIsReportedAtOnceWithoutThePassword() {
        Map<String, String> bad = config(ActionKitConfig.API_HOST, "not a host", ActionKitConfig.OPT_IN_FIELD,
                "mobile subscriber", ActionKitConfig.CALL_PAGES, "MC1", ActionKitConfig.REQUESTS_IN_FLIGHT, "0",
                "mystery", "1");
        bad.remove(ActionKitConfig.LOGIN);

        List<ConfigProblem> problems = ActionKitConfig.validate(bad);

        assertThat(problems).extracting(ConfigProblem::key).containsExactlyInAnyOrder("mystery", "api.host", "login",
                "optin.field", "call.pages", "requests.in.flight");
        assertThatThrownBy(() -> ActionKitConfig.from(bad)).isInstanceOf(CrmSyncException.class)
                .hasMessageContaining("6 problems").hasMessageNotContaining("very-secret-pass");
    }

    @Test
    void callPagesMapMconnectKeysToPageShortNames() {
        ActionKitConfig c = ActionKitConfig.from(config(ActionKitConfig.CALL_PAGES, "MC1=call_congress, MC2 = call-senate"));

        assertThat(c.callPages()).containsExactly(Map.entry("MC1", "call_congress"), Map.entry("MC2", "call-senate"));
    }

    @Test
    void thePasswordNeverPrints() {
        ActionKitConfig c = ActionKitConfig.from(config());

        assertThat(c.toString()).doesNotContain("very-secret-pass").contains("password=****");
    }

    @Test
    void thePresetIsUsOnlyWithTheSeedsSourceCode() {
        var policy = new ActionKitConnectorProvider().policyPreset().build();

        assertThat(policy.allowedCountries()).containsExactly("US");
        assertThat(policy.sourceCode()).isEqualTo("Mobile Commons");
    }
}
