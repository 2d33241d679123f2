package org.crmsync.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void redactsSecretQueryParametersIgnoringCaseAndKeepsTheRest() {
        HttpUrl url = HttpUrl.get("https://api.example.com/v1/contacts?Access_Token=abc123&name=Doe&api_key=k-456&limit=10");

        String redacted = Redaction.redactUrl(url);

        assertThat(redacted)
                .isEqualTo("https://api.example.com/v1/contacts?Access_Token=***&name=Doe&api_key=***&limit=10")
                .doesNotContain("abc123", "k-456");
    }

    @Test
    void redactsEveryDefaultSecretNameAsAQueryParameter() {
        for (String name : Redaction.defaultSecretNames()) {
            String redacted = Redaction.redactUrl(HttpUrl.get("https://crm.example.com/x?" + name + "=hunter2"));
            assertThat(redacted).as(name).doesNotContain("hunter2").contains(name + "=***");
        }
    }

    @Test
    void redactsExtraSecretNamesGivenByTheConnector() {
        HttpUrl url = HttpUrl.get("https://secure2.convio.net/org/site/CRConsAPI?login_name=api&login_pw=pw1&sso_auth=zz9");

        String redacted = Redaction.redactUrl(url, List.of("login_pw", "SSO_AUTH"));

        assertThat(redacted).contains("login_name=api", "login_pw=***", "sso_auth=***").doesNotContain("pw1", "zz9");
    }

    @Test
    void redactsCredentialsInTheUserInfoAndFragment() {
        String redacted = Redaction.redactUrl("https://user:p4ss@crm.example.com/cb#access_token=t0k&state=1");

        assertThat(redacted).doesNotContain("p4ss", "user:", "t0k").contains("access_token=***", "state=1");
    }

    @Test
    void redactsPairsInTextThatIsNotAUrl() {
        assertThat(Redaction.redactUrl("/services/oauth2/token?grant_type=password&password=pw&client_secret=cs"))
                .isEqualTo("/services/oauth2/token?grant_type=password&password=***&client_secret=***");
    }

    @Test
    void redactsSecretHeadersAndNamesContainingSecretWords() {
        Headers headers = Headers.of(
                "Authorization", "Bearer 00Dxx!AQ4AQ",
                "x-api-key", "k1",
                "Cookie", "sid=abc",
                "X-SFDC-Session", "00Dsession",
                "X-Custom-Auth", "custom1",
                "Accept", "application/json");

        String redacted = Redaction.redactHeaders(headers, SecretNames.withExtra(Set.of("x-custom-auth")));

        assertThat(redacted)
                .contains("Authorization: ***", "x-api-key: ***", "Cookie: ***", "X-SFDC-Session: ***",
                        "X-Custom-Auth: ***", "Accept: application/json")
                .doesNotContain("00Dxx", "k1", "abc", "00Dsession", "custom1");
    }

    @Test
    void replacesEveryOccurrenceOfAKnownSecretValueIncludingItsUrlEncodedForm() {
        String text = "login failed for token a+b/c= (sent as a%2Bb%2Fc%3D); token a+b/c= is invalid";

        String redacted = Redaction.redactSecrets(text, Arrays.asList("a+b/c=", null, ""));

        assertThat(redacted).isEqualTo("login failed for token *** (sent as ***); token *** is invalid");
    }

    @Test
    void masksTheLongerSecretWholeWhenOneSecretContainsAnother() {
        assertThat(Redaction.redactSecrets("key=abcdef", List.of("abc", "abcdef"))).isEqualTo("key=***");
    }

    @Test
    void redactsSecretFieldsInJsonAndFormText() {
        String text = "{\"access_token\": \"eyJ.x.y\", \"instance_url\":\"https://na1.salesforce.com\"} refresh_token=r1&x=2";

        String redacted = Redaction.redactSecretFields(text, SecretNames.DEFAULT);

        assertThat(redacted).contains("\"access_token\":\"***\"", "https://na1.salesforce.com", "refresh_token=***", "x=2")
                .doesNotContain("eyJ", "r1");
    }

    @Test
    void logLineHasMethodUrlWithQueryParameterNamesOnlyStatusAndElapsedTimeButNoHeaders() {
        Request request = new Request.Builder()
                .url("https://api.hubapi.com/crm/v3/objects/contacts?hapikey=sekret&limit=100")
                .header("Authorization", "Bearer pat-na1-123")
                .build();

        String line = RedactingLoggingInterceptor.line(request, 200, 42);

        assertThat(line)
                .isEqualTo("GET https://api.hubapi.com/crm/v3/objects/contacts?hapikey=<6 chars>&limit=<3 chars> -> 200"
                        + " (42 ms)")
                .doesNotContain("pat-na1-123", "sekret");
    }

    @Test
    void collectsTheSecretValuesARequestCarries() {
        Request request = new Request.Builder()
                .url("https://crm.example.com/x?token=q1&page=2")
                .header("Authorization", "Bearer b1")
                .header("Accept", "application/json")
                .build();

        assertThat(Redaction.secretValuesOf(request, SecretNames.DEFAULT))
                .contains("Bearer b1", "b1", "q1")
                .doesNotContain("application/json", "2");
    }

    @Test
    void aUrlForTheLogsKeepsHostPortAndPathAndOfTheQueryOnlyTheNames() {
        HttpUrl lookup = HttpUrl.get("http://user:pw@127.0.0.1:50123/services/data/v67.0/query?q=SELECT+Id+FROM+Contact"
                + "+WHERE+Email+IN+('ana@example.org')+OR+MobilePhone+IN+('%2B14155552671')&flag&empty=#frag");

        String logged = Redaction.forLog(lookup);

        assertThat(logged).isEqualTo("http://127.0.0.1:50123/services/data/v67.0/query?q=<92 chars>&flag&empty=<0 chars>");
        assertThat(Redaction.forLog(HttpUrl.get("https://acme.my.salesforce.com:443/x?a=1")))
                .isEqualTo("https://acme.my.salesforce.com/x?a=<1 char>");
    }

    @Test
    void emailsAndPhoneNumbersInTheirUsualSpellingsAreMaskedButDatesIdsAndCountsAreNot() {
        String text = "ana.reyes@example.org, o'brien+sms@mail.example.co.uk, ana%40example.org, +14155552671,"
                + " (415) 555-2671, 415.555.2671, 1-415-555-2671, +1 415 555 2671, %2B14155552671,"
                + " 2026-03-02T06:00:00Z, 003SIM000000001AAA, totalSize 15000, api-usage=18/15000, 03/02/2026";

        assertThat(Redaction.maskPersonalData(text)).isEqualTo("<email>, <email>, <email>, <phone>, <phone>, <phone>,"
                + " <phone>, <phone>, <phone>, 2026-03-02T06:00:00Z, 003SIM000000001AAA, totalSize 15000,"
                + " api-usage=18/15000, 03/02/2026");
    }

    @Test
    void sanitizingMasksSecretsAndPersonalDataCollapsesWhiteSpaceAndCaps() {
        String body = "<html>\n  <body>\n token=tok-1 for ana@example.org\n\t secret s3cr3t " + "x".repeat(100);

        String sanitized = Redaction.sanitize(body, List.of("s3cr3t"), 60);

        assertThat(sanitized).isEqualTo("<html> <body> token=*** for <email> secret *** xxxxxxxxxxxxx...");
    }

    @Test
    void urlsInLoggedHeadersLoseTheirQueryValues() {
        Headers headers = Headers.of("Location", "https://acme.my.salesforce.com/x?email=ana@example.org",
                "Content-Location", "/relative?phone=4155552671", "Content-Type", "text/html");

        String logged = RedactingLoggingInterceptor.headers(headers, SecretNames.DEFAULT);

        assertThat(logged).isEqualTo("Location: https://acme.my.salesforce.com/x?email=<15 chars>\n"
                + "Content-Location: /relative?...\nContent-Type: text/html");
    }

    @Test
    void aSecretFieldWithAVeryLongValueIsRedactedWithoutOverflowingTheStack() {
        String text = "{\"access_token\":\"" + "x".repeat(200_000) + "\",\"name\":\"ok\"}";

        String redacted = Redaction.redactSecretFields(text, SecretNames.DEFAULT);

        assertThat(redacted).doesNotContain("xxxx").contains("\"name\":\"ok\"");
    }
}
