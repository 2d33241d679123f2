package org.crmsync.luminate;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the changed-records file is: a host, a port and a path, reached over FTP with explicit TLS (the
 * way Luminate's file transfer works: AUTH TLS on port 21, not SFTP; reference notes §3.5), HTTPS, or,
 * only for tests against a local server, plain FTP or HTTP.
 */
public record ExportLocation(Scheme scheme, String host, int port, String path) {
    /** How the file is fetched. */
    public enum Scheme {
        FTPS, FTP, HTTPS, HTTP;

        boolean plain() {
            return this == FTP || this == HTTP;
        }
    }

    public ExportLocation {
        requireNonNull(scheme, "scheme");
        requireNonNull(host, "host");
        requireNonNull(path, "path");
    }

    /** Whether the file is on an FTP host (FTPS or, in tests, plain FTP). */
    public boolean ftp() {
        return scheme == Scheme.FTPS || scheme == Scheme.FTP;
    }

    /** The file's name: the last part of its path. */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** For messages: the file and its host, never a credential. */
    @Override
    public String toString() {
        return scheme.name().toLowerCase(Locale.ROOT) + "://" + host + (defaultPort() == port ? "" : ":" + port) + path;
    }

    private int defaultPort() {
        return scheme == Scheme.HTTPS ? 443 : scheme == Scheme.HTTP ? 80 : 21;
    }

    /**
     * {@code export.url}: an absolute {@code ftps://}, {@code ftp://}, {@code https://} or {@code http://} URL
     * with a path to a file, or a path starting with {@code /} on {@code ftpHost} (FTPS). Empty when it is
     * neither.
     */
    static Optional<ExportLocation> parse(String exportUrl, Optional<String> ftpHost) {
        if (exportUrl == null) {
            return Optional.empty();
        }
        String v = exportUrl.trim();
        if (v.startsWith("/")) {
            return ftpHost.map(String::trim).filter(h -> !h.isEmpty()).flatMap(h -> parse("ftps://" + h + v,
                    Optional.empty()));
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            return Optional.empty();
        }
        Scheme scheme;
        try {
            scheme = Scheme.valueOf(uri.getScheme().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String path = uri.getRawPath() == null ? "" : uri.getPath();
        if (path.isEmpty() || path.endsWith("/") || ((scheme == Scheme.FTPS || scheme == Scheme.FTP)
                && uri.getRawQuery() != null)) {
            return Optional.empty();
        }
        if (uri.getRawQuery() != null) {
            path = path + "?" + uri.getRawQuery();
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme == Scheme.HTTPS ? 443 : scheme == Scheme.HTTP ? 80 : 21;
        return Optional.of(new ExportLocation(scheme, uri.getHost().toLowerCase(Locale.ROOT), port, path));
    }
}
