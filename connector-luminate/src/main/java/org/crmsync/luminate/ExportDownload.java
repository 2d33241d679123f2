package org.crmsync.luminate;

import static java.util.Objects.requireNonNull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Credentials;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.http.Redaction;
import org.crmsync.luminate.internal.LuminateClient;
import org.crmsync.spi.ApiCallMeter;

/**
 * Fetches the nightly changed-records file, streamed: over FTP with explicit TLS (AUTH TLS on the
 * control connection, then {@code PBSZ 0} and {@code PROT P} so the data connection is encrypted too;
 * Luminate's file transfer is FTPS, "OpenSSH SFTP is NOT supported", reference notes §3.5), over HTTPS,
 * or, where the connector context allows plain connections (tests against a local server), plain FTP
 * or HTTP. The server's size and modification time ({@code SIZE} and {@code MDTM}, or {@code
 * Content-Length} and {@code Last-Modified}) name the file for the cursor, and the bytes read are
 * checked against the size, so a transfer cut off is an error, not a shorter file. The file is copied to
 * a temporary file first ({@link #spool}) and read from there. An FTP session counts as one API call
 * against the quota.
 */
final class ExportDownload {
    private final LuminateConfig config;
    private final LuminateClient client;
    private final List<String> secrets;

    ExportDownload(LuminateConfig config, LuminateClient client) {
        this.config = requireNonNull(config, "config");
        this.client = requireNonNull(client, "client");
        this.secrets = config.secretValues();
    }

    /** The file on its server, open until {@link #close()}; its bytes are read once, through {@link #content()}. */
    interface RemoteFile extends AutoCloseable {
        FileIdentity identity();

        /** The file's bytes, streamed; a transfer that ends short of the announced size fails when it ends. */
        InputStream content();

        @Override
        void close();
    }

    /**
     * The file, or empty when the server says it is not there (FTP 550, HTTP 404), or it is there and still
     * empty (being written).
     */
    Optional<RemoteFile> open(ApiCallMeter meter) {
        ExportLocation where = config.export();
        return where.ftp() ? openFtp(where, meter) : openHttp(where);
    }

    // ----- HTTPS -----

    private Optional<RemoteFile> openHttp(ExportLocation where) {
        String url = where.scheme().name().toLowerCase(java.util.Locale.ROOT) + "://" + where.host() + ":" + where.port()
                + where.path();
        Optional<String> auth = config.ftpLogin().map(l -> Credentials.basic(l, config.ftpPassword().orElse(""),
                java.nio.charset.StandardCharsets.UTF_8));
        Optional<LuminateClient.Download> d = client.download(url, auth);
        if (d.isEmpty()) {
            return Optional.empty();
        }
        LuminateClient.Download download = d.get();
        if (download.size().isPresent() && download.size().getAsLong() == 0) {
            closeQuietly(download.content());
            return Optional.empty();
        }
        FileIdentity id = new FileIdentity(where.fileName(), download.size().orElse(-1),
                download.modified().orElse(""));
        return Optional.of(new RemoteFile() {
            private InputStream content;

            @Override
            public FileIdentity identity() {
                return id;
            }

            @Override
            public InputStream content() {
                if (content != null) {
                    throw new IllegalStateException("the file is read once");
                }
                content = spool(download.content(), download.size(), where);
                return content;
            }

            @Override
            public void close() {
                closeQuietly(content != null ? content : download.content());
            }
        });
    }

    // ----- the local copy -----

    /**
     * Copies the file to a temporary file only this process's user may read, and streams it from there: the
     * transfer runs at the network's pace and ends before the first constituent is read (reading them takes
     * a call each, hours for a large file, which an FTP or HTTP server would not wait out), and the file is
     * never held in memory. The copy is deleted when the stream closes. A transfer that ends short of the
     * announced size fails here, before any row is applied.
     */
    private InputStream spool(InputStream network, OptionalLong size, ExportLocation where) {
        Path copy;
        try {
            copy = Files.createTempFile("crmsync-luminate-", ".csv");
            try {
                Files.setPosixFilePermissions(copy, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // A file system without POSIX permissions keeps its own defaults.
            }
        } catch (IOException e) {
            closeQuietly(network);
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "Luminate changed-records file " + where + ": no"
                    + " temporary file to copy it to (" + e.getMessage() + "); check java.io.tmpdir", e);
        }
        try (InputStream in = new CheckedContent(network, size, where.toString());
                java.io.OutputStream out = Files.newOutputStream(copy)) {
            in.transferTo(out);
        } catch (IOException e) {
            deleteQuietly(copy);
            throw failure(ErrorCode.CONNECTION_FAILED, where, "the transfer failed: " + e.getMessage(), true);
        }
        try {
            return new CheckedContent(new DeletingInput(copy), OptionalLong.empty(), where.toString());
        } catch (IOException e) {
            deleteQuietly(copy);
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "Luminate changed-records file " + where + ": its"
                    + " local copy cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** A local copy, deleted when closed. */
    private static final class DeletingInput extends FilterInputStream {
        private final Path file;

        DeletingInput(Path file) throws IOException {
            super(Files.newInputStream(file));
            this.file = file;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                deleteQuietly(file);
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            file.toFile().deleteOnExit();
        }
    }

    // ----- FTPS -----

    private Optional<RemoteFile> openFtp(ExportLocation where, ApiCallMeter meter) {
        meter.acquire("FTP " + where.scheme() + " session for " + where.path());
        int timeout = (int) config.ftpTimeout().toMillis();
        FTPClient ftp = where.scheme() == ExportLocation.Scheme.FTPS ? ftps() : new FTPClient();
        ftp.setConnectTimeout(timeout);
        ftp.setDefaultTimeout(timeout);
        ftp.setDataTimeout(config.ftpTimeout());
        try {
            ftp.connect(where.host(), where.port());
            if (!FTPReply.isPositiveCompletion(ftp.getReplyCode())) {
                throw failure(ErrorCode.REMOTE_UNAVAILABLE, where, "the server answered the connection with "
                        + reply(ftp), false);
            }
            ftp.setSoTimeout(timeout);
            if (!ftp.login(config.ftpLogin().orElse(""), config.ftpPassword().orElse(""))) {
                throw failure(ErrorCode.AUTHENTICATION_FAILED, where, "the server refused the login of "
                        + LuminateConfig.FTP_LOGIN + " (" + reply(ftp) + "); check " + LuminateConfig.FTP_LOGIN
                        + " and " + LuminateConfig.FTP_PASSWORD + ", the seed's Data Sync user name and password", false);
            }
            if (ftp instanceof FTPSClient secure) {
                secure.execPBSZ(0);
                secure.execPROT("P");
            }
            ftp.enterLocalPassiveMode();
            ftp.setFileType(FTP.BINARY_FILE_TYPE);
            String size = ftp.getSize(where.path());
            if (size == null) {
                if (ftp.getReplyCode() == FTPReply.FILE_UNAVAILABLE) {
                    quit(ftp);
                    return Optional.empty();
                }
                throw failure(ErrorCode.UNEXPECTED_RESPONSE, where, "the server did not say the file's size ("
                        + reply(ftp) + ")", false);
            }
            long bytes = Long.parseLong(size.trim());
            if (bytes == 0) {
                quit(ftp);
                return Optional.empty();
            }
            String modified = Optional.ofNullable(ftp.getModificationTime(where.path())).map(String::trim).orElse("");
            FileIdentity id = new FileIdentity(where.fileName(), bytes, modified);
            return Optional.of(new FtpFile(ftp, where, id));
        } catch (NumberFormatException e) {
            quit(ftp);
            throw failure(ErrorCode.UNEXPECTED_RESPONSE, where, "the server's SIZE answer is not a number", false);
        } catch (CrmSyncException e) {
            quit(ftp);
            throw e;
        } catch (IOException e) {
            quit(ftp);
            throw ioFailure(where, e);
        }
    }

    private final class FtpFile implements RemoteFile {
        private final FTPClient ftp;
        private final ExportLocation where;
        private final FileIdentity id;
        private InputStream content;

        FtpFile(FTPClient ftp, ExportLocation where, FileIdentity id) {
            this.ftp = ftp;
            this.where = where;
            this.id = id;
        }

        @Override
        public FileIdentity identity() {
            return id;
        }

        @Override
        public InputStream content() {
            if (content != null) {
                throw new IllegalStateException("the file is read once");
            }
            try {
                InputStream in = ftp.retrieveFileStream(where.path());
                if (in == null) {
                    throw failure(ErrorCode.REMOTE_UNAVAILABLE, where, "the server did not send the file ("
                            + reply(ftp) + ")", false);
                }
                content = spool(in, OptionalLong.of(id.size()), where);
                ftp.completePendingCommand();
                return content;
            } catch (IOException e) {
                throw ioFailure(where, e);
            } finally {
                quit(ftp); // the file is on disk: the session ends before any constituent is read
            }
        }

        @Override
        public void close() {
            if (content != null) {
                closeQuietly(content);
            }
            quit(ftp);
        }
    }

    private FTPSClient ftps() {
        FTPSClient ftps = new FTPSClient(false, sslContext()); // explicit: AUTH TLS on port 21
        ftps.setEndpointCheckingEnabled(true); // the certificate must name the host
        return ftps;
    }

    /** The JVM's trusted authorities, and the certificates of {@code ftp.tls.certificate} when it is set. */
    private SSLContext sslContext() {
        try {
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            List<X509TrustManager> managers = new ArrayList<>();
            for (TrustManager m : system.getTrustManagers()) {
                if (m instanceof X509TrustManager x) {
                    managers.add(x);
                }
            }
            if (config.ftpCertificate().isPresent()) {
                KeyStore extra = KeyStore.getInstance(KeyStore.getDefaultType());
                extra.load(null, null);
                Path pem = Path.of(config.ftpCertificate().get());
                int n = 0;
                try (InputStream in = Files.newInputStream(pem)) {
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        extra.setCertificateEntry("ftp-" + n++, c);
                    }
                }
                if (n == 0) {
                    throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, LuminateConfig.FTP_TLS_CERTIFICATE + ": "
                            + pem + " holds no certificate");
                }
                TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                f.init(extra);
                for (TrustManager m : f.getTrustManagers()) {
                    if (m instanceof X509TrustManager x) {
                        managers.add(0, x);
                    }
                }
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AnyOf(managers)}, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, LuminateConfig.FTP_TLS_CERTIFICATE
                    + ": the certificate file cannot be read: " + e.getMessage(), e);
        }
    }

    /** Trusts a server any of the managers trusts. */
    private static final class AnyOf implements X509TrustManager {
        private final List<X509TrustManager> managers;

        AnyOf(List<X509TrustManager> managers) {
            this.managers = List.copyOf(managers);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("this client checks servers only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            java.security.cert.CertificateException last = new java.security.cert.CertificateException(
                    "no trusted authority");
            for (X509TrustManager m : managers) {
                try {
                    m.checkServerTrusted(chain, authType);
                    return;
                } catch (java.security.cert.CertificateException e) {
                    last = e;
                }
            }
            throw last;
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return managers.stream().flatMap(m -> java.util.Arrays.stream(m.getAcceptedIssuers()))
                    .toArray(X509Certificate[]::new);
        }
    }

    // ----- errors -----

    private CrmSyncException ioFailure(ExportLocation where, IOException e) {
        if (e instanceof SSLException) {
            return failure(ErrorCode.CONNECTION_FAILED, where, "the TLS handshake failed (" + e.getMessage() + "); the"
                    + " server's certificate must be trusted and name the host: set " + LuminateConfig.FTP_TLS_CERTIFICATE
                    + " to its certificate when it is signed by a private authority", true);
        }
        return failure(ErrorCode.CONNECTION_FAILED, where, "the connection failed (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); check " + LuminateConfig.EXPORT_URL
                + " and " + LuminateConfig.FTP_HOST + ", and that this server may reach it", true);
    }

    private CrmSyncException failure(ErrorCode code, ExportLocation where, String what, boolean retryable) {
        String message = Redaction.sanitize("Luminate changed-records file " + where + ": " + what, secrets, 600);
        return new CrmSyncException(code, message);
    }

    private static String reply(FTPClient ftp) {
        String r = ftp.getReplyString();
        return r == null ? "no reply" : r.trim();
    }

    private static void quit(FTPClient ftp) {
        try {
            if (ftp.isConnected()) {
                ftp.logout();
            }
        } catch (IOException e) {
            // Ending the session is best effort.
        }
        try {
            ftp.disconnect();
        } catch (IOException e) {
            // As above.
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // Only read from.
        }
    }

    /**
     * The file's bytes, counted: when the stream ends short of the size the server announced, the read
     * fails (the transfer was cut off), so the reader names the line where the file stopped instead of
     * taking a cut-off row. It also remembers whether the last byte ended a line.
     */
    static final class CheckedContent extends FilterInputStream {
        private final OptionalLong expected;
        private final String where;
        private long read;
        private int last = -1;
        private boolean ended;

        CheckedContent(InputStream in, OptionalLong expected, String where) {
            super(in);
            this.expected = expected;
            this.where = where;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                atEnd();
            } else {
                read++;
                last = b;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n < 0) {
                atEnd();
            } else if (n > 0) {
                read += n;
                last = buf[off + n - 1] & 0xff;
            }
            return n;
        }

        private void atEnd() throws IOException {
            ended = true;
            if (expected.isPresent() && read < expected.getAsLong()) {
                throw new IOException("the transfer of " + where + " ended after " + read + " of the "
                        + expected.getAsLong() + " bytes the server announced");
            }
        }

        /** Whether the stream has ended and its last byte ended a line (or the file is empty). */
        boolean endsWithLineBreak() {
            return ended && (last == '\n' || last == '\r' || last < 0);
        }

        boolean ended() {
            return ended;
        }
    }
}
