package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Names of headers, query parameters and form or JSON fields whose values are secret. A name is
 * secret when it equals (ignoring case) one of the defaults or the extra names, or when, lower-cased
 * and without '-' and '_', it contains a word that only secrets carry (token, secret, password,
 * apikey, session, cookie): over-redacting a log line costs nothing, leaking a token costs a lot.
 */
final class SecretNames {
    static final Set<String> DEFAULTS = Set.of(
            "Authorization", "Proxy-Authorization", "Api-Token", "X-Api-Key", "Cookie", "Set-Cookie",
            "password", "client_secret", "access_token", "refresh_token", "security_token", "api_key",
            "token", "key", "sessionId");

    private static final String[] SECRET_WORDS = {"token", "secret", "password", "passwd", "apikey", "session", "cookie"};

    static final SecretNames DEFAULT = new SecretNames(Set.of());

    private final Set<String> names;

    private SecretNames(Collection<String> extra) {
        Set<String> all = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        all.addAll(DEFAULTS);
        for (String name : extra) {
            requireNonNull(name, "secret name");
            if (!name.isBlank()) {
                all.add(name.trim());
            }
        }
        this.names = all;
    }

    static SecretNames withExtra(Collection<String> extra) {
        requireNonNull(extra, "extraSecretNames");
        return extra.isEmpty() ? DEFAULT : new SecretNames(extra);
    }

    boolean isSecret(String name) {
        if (name == null) {
            return false;
        }
        if (names.contains(name)) {
            return true;
        }
        String squashed = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (String word : SECRET_WORDS) {
            if (squashed.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** The names, for building patterns. */
    Set<String> names() {
        return names;
    }
}
