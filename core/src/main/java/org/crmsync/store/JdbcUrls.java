package org.crmsync.store;

import java.util.regex.Pattern;

/** JDBC URLs as they may be shown: with passwords masked, wherever the URL carries them. */
final class JdbcUrls {
    /** {@code password=...} (or {@code pwd}, {@code secret}, any key ending so) in a query or property list. */
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|sslpassword|token)[^=&;:/?]*=)[^&;]*");
    /** {@code //user:password@host}. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@?]*:)[^@/?]*@");

    private JdbcUrls() {
    }

    static String masked(String url) {
        if (url == null) {
            return "(no URL)";
        }
        String masked = USER_INFO.matcher(url).replaceAll("$1***@");
        return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1***");
    }
}
