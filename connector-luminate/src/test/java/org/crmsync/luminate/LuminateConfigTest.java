package org.crmsync.luminate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConfigProblem;
import org.junit.jupiter.api.Test;

/** The seed's configuration form: declared, every problem reported at once, secrets never printed. */
class LuminateConfigTest {
    private static Map<String, String> valid() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("api.host", "secure2.convio.net");
        c.put("organization.code", "myorg");
        c.put("api.key", "the-api-key-123");
        c.put("login", "api_admin");
        c.put("password", "api-password-456");
        c.put("export.url", "/outgoing/changed_constituents.csv");
        c.put("ftp.host", "customerftp.convio.net");
        c.put("ftp.login", "datasync");
        c.put("ftp.password", "ftp-password-789");
        return c;
    }

    @Test
    void theSeedsDefaultsAndTheServletBaseOfAConvioHost() {
        LuminateConfig c = LuminateConfig.from(valid());

        assertThat(c.apiBase()).isEqualTo("https://secure2.convio.net/myorg/site/");
        assertThat(c.source()).isEqualTo("mcommons");
        assertThat(c.optInField()).isEqualTo("custom_boolean50");
        assertThat(c.noWelcome()).isFalse();
        assertThat(c.centerIds()).isEmpty();
        assertThat(c.export().scheme()).isEqualTo(ExportLocation.Scheme.FTPS);
        assertThat(c.export().host()).isEqualTo("customerftp.convio.net");
        assertThat(c.export().port()).isEqualTo(21);
        assertThat(c.export().path()).isEqualTo("/outgoing/changed_constituents.csv");
        assertThat(c.idHeading()).isEqualTo("CONS_ID");
    }

    @Test
    void anOrganizationsOwnDomainHasNoOrganizationInThePath() {
        Map<String, String> v = valid();
        v.put("api.host", "https://secure.yourorg.org");
        v.put("center.ids", "1021, 1044");
        v.put("no.welcome", "1");

        LuminateConfig c = LuminateConfig.from(v);

        assertThat(c.apiBase()).isEqualTo("https://secure.yourorg.org/site/");
        assertThat(c.centerIds()).containsExactly("1021", "1044");
        assertThat(c.noWelcome()).isTrue();
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, String> v = valid();
        v.remove("api.key");
        v.put("optin.field", "mobile_optin");
        v.put("no.welcome", "yes");
        v.put("center.ids", "12,abc");
        v.put("export.url", "sftp://customerftp.convio.net/x.csv");
        v.put("unknown.key", "1");

        List<ConfigProblem> problems = LuminateConfig.validate(v);

        assertThat(problems).extracting(ConfigProblem::key).contains("api.key", "optin.field", "no.welcome",
                "center.ids", "export.url", "unknown.key");
    }

    @Test
    void anFtpFileNeedsTheDataSyncLoginAndAPathNeedsTheFtpHost() {
        Map<String, String> v = valid();
        v.remove("ftp.password");
        v.remove("ftp.login");
        assertThat(LuminateConfig.validate(v)).extracting(ConfigProblem::key).contains("ftp.login", "ftp.password");

        Map<String, String> w = valid();
        w.remove("ftp.host");
        assertThat(LuminateConfig.validate(w)).extracting(ConfigProblem::key).contains("ftp.host");
    }

    @Test
    void secretsAreDeclaredSecretAndNeverPrinted() {
        assertThat(LuminateConfig.keys().stream().filter(ConfigKey::secret).map(ConfigKey::name))
                .containsExactlyInAnyOrder("api.key", "password", "ftp.password");
        String shown = LuminateConfig.from(valid()).toString();
        assertThat(shown).doesNotContain("the-api-key-123").doesNotContain("api-password-456")
                .doesNotContain("ftp-password-789");

        Map<String, String> v = valid();
        v.put("optin.field", "text");
        assertThatThrownBy(() -> LuminateConfig.from(v)).isInstanceOf(CrmSyncException.class)
                .hasMessageContaining("optin.field").satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain("the-api-key-123").doesNotContain("api-password-456"));
    }
}
