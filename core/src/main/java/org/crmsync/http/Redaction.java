package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Keeps secrets and personal data out of log lines and exception messages: redacts secret query
 * parameters and credentials in URLs, replaces known secret values in any text with {@value #MASK},
 * writes URLs for logs with their query parameters' names only ({@link #forLog}), and sanitizes text
 * a CRM sent back before a message quotes it ({@link #sanitize}). Connectors use it when they build a
 * message from something a CRM sent back.
 */
public final class Redaction {
    /** What a secret is replaced with. */
    public static final String MASK = "***";
    /** What {@link #maskPersonalData} puts in place of an email address. */
    public static final String EMAIL_MASK = "<email>";
    /** What {@link #maskPersonalData} puts in place of a phone number. */
    public static final String PHONE_MASK = "<phone>";

    // Anything shaped like an email address, also URL-encoded (%40).
    private static final Pattern EMAIL = Pattern.compile("[\\w.%+'-]+(?:@|%40)[\\w-]+(?:\\.[\\w-]+)+");
    // A run of digits with the separators phones are written with, optionally after + (or %2B); it is
    // a phone number when it holds 7 to 15 digits (E.164 allows 15) and is not a date.
    private static final Pattern PHONE_LIKE = Pattern.compile(
            "(?<![\\w%.+])(?:\\+|%2[Bb])?\\(?\\d[\\d ().\\-]{4,24}\\d(?![\\w%])");
    private static final Pattern DATE_LIKE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}.*|\\d{1,2}[./]\\d{1,2}[./]\\d{2,4}");

    // name=value pairs in a query string, a form body or a URL that HttpUrl cannot parse.
    private static final Pattern PAIR = Pattern.compile("(^|[?&;#\\s\"',({\\[])([\\w.\\-\\[\\]]+)=([^&;#\\s\"']*)");
    // "name": "value" in a JSON body.
    // The value part is unrolled and possessive: "(?:[^\"\\]|\\.)*" recurses once per character in
    // java.util.regex and overflows the stack on a long value.
    private static final Pattern JSON_STRING_FIELD = Pattern.compile(
            "\"([^\"\\\\]{1,100})\"\\s*:\\s*\"([^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+)\"");

    private Redaction() {
    }

    /** The header and parameter names always treated as secret (compared ignoring case). */
    public static Set<String> defaultSecretNames() {
        return SecretNames.DEFAULTS;
    }

    /** The URL with secret query parameters and any user name and password replaced by {@value #MASK}. */
    public static String redactUrl(HttpUrl url) {
        return redactUrl(url, SecretNames.DEFAULT);
    }

    /** As {@link #redactUrl(HttpUrl)}, also treating {@code extraSecretNames} as secret. */
    public static String redactUrl(HttpUrl url, Collection<String> extraSecretNames) {
        return redactUrl(url, SecretNames.withExtra(extraSecretNames));
    }

    /**
     * As {@link #redactUrl(HttpUrl)} for a URL given as text; text that is not an http(s) URL gets
     * its {@code name=value} pairs with secret names redacted.
     */
    public static String redactUrl(String url) {
        requireNonNull(url, "url");
        HttpUrl parsed = HttpUrl.parse(url);
        return parsed != null ? redactUrl(parsed, SecretNames.DEFAULT) : redactPairs(url, SecretNames.DEFAULT);
    }

    /**
     * {@code text} with every occurrence of each secret value (and of its URL-encoded form) replaced
     * by {@value #MASK}. Null and empty values are ignored; longer values are replaced first, so a
     * secret that contains another is masked whole.
     */
    public static String redactSecrets(String text, Collection<String> secretValues) {
        requireNonNull(text, "text");
        requireNonNull(secretValues, "secretValues");
        Set<String> forms = new LinkedHashSet<>();
        for (String value : secretValues) {
            if (value == null || value.isEmpty()) {
                continue;
            }
            forms.add(value);
            forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
        List<String> ordered = new ArrayList<>(forms);
        ordered.sort(Comparator.comparingInt(String::length).reversed());
        String result = text;
        for (String form : ordered) {
            result = result.replace(form, MASK);
        }
        return result;
    }

    /**
     * The URL as log lines and messages may show it: scheme, host, port (when not the scheme's
     * default), path, and of the query only each parameter's name, its value replaced by its length
     * ({@code query?q=<812 chars>&batchSize=<4 chars>}). Query values carry personal data (a SOQL
     * lookup by email and phone) and secrets; user name, password and fragment are left out too.
     */
    public static String forLog(HttpUrl url) {
        requireNonNull(url, "url");
        StringBuilder out = new StringBuilder(url.scheme()).append("://").append(hostAndPort(url))
                .append(url.encodedPath());
        for (int i = 0; i < url.querySize(); i++) {
            out.append(i == 0 ? '?' : '&').append(url.queryParameterName(i));
            String value = url.queryParameterValue(i);
            if (value != null) {
                out.append("=<").append(value.length()).append(value.length() == 1 ? " char>" : " chars>");
            }
        }
        return out.toString();
    }

    /** {@code host} or {@code host:port} when the port is not the scheme's default. */
    public static String hostAndPort(HttpUrl url) {
        requireNonNull(url, "url");
        return url.port() == HttpUrl.defaultPort(url.scheme()) ? url.host() : url.host() + ":" + url.port();
    }

    /**
     * {@code text} with anything that looks like an email address replaced by {@value #EMAIL_MASK} and
     * anything that looks like a phone number (7 to 15 digits, with or without +, spaces, dots, dashes
     * and parentheses) by {@value #PHONE_MASK}. Over-masking a number in an error message costs little;
     * a subscriber's phone in a log or report is a leak.
     */
    public static String maskPersonalData(String text) {
        requireNonNull(text, "text");
        String masked = EMAIL.matcher(text).replaceAll(Matcher.quoteReplacement(EMAIL_MASK));
        Matcher m = PHONE_LIKE.matcher(masked);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String candidate = m.group();
            String number = candidate.startsWith("%") ? candidate.substring(3) : candidate;
            long digits = number.chars().filter(Character::isDigit).count();
            boolean phone = digits >= 7 && digits <= 15 && !DATE_LIKE.matcher(number).matches();
            m.appendReplacement(out, Matcher.quoteReplacement(phone ? PHONE_MASK : candidate));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Text a CRM (or a proxy in front of it) sent back, made fit for a message: known secret values,
     * those the request carried and the values of secret-named fields masked, emails and phone numbers
     * masked ({@link #maskPersonalData}), white space collapsed, and at most {@code maxChars}
     * characters, with {@code ...} when cut.
     */
    public static String sanitize(String text, Collection<String> secretValues, int maxChars) {
        requireNonNull(text, "text");
        requireNonNull(secretValues, "secretValues");
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be 1 or more, was " + maxChars);
        }
        String result = redactSecrets(text, secretValues);
        result = redactSecretFields(result, SecretNames.DEFAULT);
        result = maskPersonalData(result);
        result = result.replaceAll("\\s+", " ").strip();
        if (result.length() > maxChars) {
            int end = maxChars;
            if (Character.isHighSurrogate(result.charAt(end - 1))) {
                end--;
            }
            result = result.substring(0, end) + "...";
        }
        return result;
    }

    static String redactUrl(HttpUrl url, SecretNames secretNames) {
        requireNonNull(url, "url");
        HttpUrl.Builder b = url.newBuilder();
        if (!url.username().isEmpty()) {
            b.username(MASK);
        }
        if (!url.password().isEmpty()) {
            b.password(MASK);
        }
        if (url.querySize() > 0) {
            b.query(null);
            for (int i = 0; i < url.querySize(); i++) {
                String name = url.queryParameterName(i);
                String value = url.queryParameterValue(i);
                b.addQueryParameter(name, value != null && secretNames.isSecret(name) ? MASK : value);
            }
        }
        String fragment = url.fragment();
        if (fragment != null && fragment.contains("=")) {
            b.fragment(redactPairs(fragment, secretNames));
        }
        return b.build().toString();
    }

    /** Redacts the values of {@code name=value} pairs whose name is secret. */
    static String redactPairs(String text, SecretNames secretNames) {
        Matcher m = PAIR.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = secretNames.isSecret(m.group(2))
                    ? m.group(1) + m.group(2) + "=" + MASK
                    : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Redacts the values of JSON string fields and {@code name=value} pairs whose name is secret. */
    static String redactSecretFields(String text, SecretNames secretNames) {
        Matcher m = JSON_STRING_FIELD.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = secretNames.isSecret(m.group(1)) ? "\"" + m.group(1) + "\":\"" + MASK + "\"" : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return redactPairs(out.toString(), secretNames);
    }

    /** Headers as {@code Name: value} lines, secret values replaced by {@value #MASK}. */
    static String redactHeaders(Headers headers, SecretNames secretNames) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < headers.size(); i++) {
            if (i > 0) {
                out.append('\n');
            }
            String name = headers.name(i);
            out.append(name).append(": ").append(secretNames.isSecret(name) ? MASK : headers.value(i));
        }
        return out.toString();
    }

    /**
     * The secret values a request carries: secret headers (and the credential after an auth scheme
     * such as {@code Bearer}), secret query parameters, and the URL's password.
     */
    static List<String> secretValuesOf(Request request, SecretNames secretNames) {
        List<String> values = new ArrayList<>();
        Headers headers = request.headers();
        for (int i = 0; i < headers.size(); i++) {
            if (secretNames.isSecret(headers.name(i))) {
                String value = headers.value(i);
                values.add(value);
                int space = value.indexOf(' ');
                if (space > 0 && space < value.length() - 1) {
                    values.add(value.substring(space + 1).trim());
                }
            }
        }
        HttpUrl url = request.url();
        for (int i = 0; i < url.querySize(); i++) {
            if (secretNames.isSecret(url.queryParameterName(i))) {
                values.add(url.queryParameterValue(i));
            }
        }
        values.add(url.password());
        return values;
    }
}
