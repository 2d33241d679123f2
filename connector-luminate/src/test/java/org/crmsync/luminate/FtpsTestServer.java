package org.crmsync.luminate;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.ssl.SslConfigurationFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A real FTP server with explicit TLS (AUTH TLS on the control connection, encrypted data connections) on
 * {@code 127.0.0.1} and a free port, as Luminate's file transfer host works (reference notes §3.5): Apache
 * MINA FtpServer with a self-signed certificate for 127.0.0.1 made when it starts, and one user whose home
 * is a folder the tests write changed-records files into. {@link #certificatePem()} is the certificate for
 * the connector's {@code ftp.tls.certificate}. Also serves plain FTP when started {@link #plain}.
 */
public final class FtpsTestServer implements AutoCloseable {
    public static final String USER = "lum_datasync";
    public static final String PASSWORD = "Ftp-s3cret-datasync";

    private final FtpServer server;
    private final int port;
    private final Path home;
    private final Path certificatePem;
    private final boolean tls;

    private FtpsTestServer(FtpServer server, int port, Path home, Path certificatePem, boolean tls) {
        this.server = server;
        this.port = port;
        this.home = home;
        this.certificatePem = certificatePem;
        this.tls = tls;
    }

    /** An FTPS server whose files are in {@code work}/home; its key and certificate go in {@code work} too. */
    public static FtpsTestServer start(Path work) {
        return start(work, true);
    }

    /** A plain FTP server (no TLS), for the connector's refusal of plain FTP and tests that allow it. */
    public static FtpsTestServer plain(Path work) {
        return start(work, false);
    }

    private static FtpsTestServer start(Path work, boolean tls) {
        try {
            Path home = Files.createDirectories(work.resolve("home"));
            Path pem = work.resolve("ftps-certificate.pem");
            ListenerFactory listener = new ListenerFactory();
            listener.setServerAddress("127.0.0.1");
            listener.setPort(0);
            listener.setIdleTimeout(60);
            DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
            data.setPassiveAddress("127.0.0.1");
            data.setPassiveExternalAddress("127.0.0.1");
            data.setPassivePorts("0");
            if (tls) {
                Path keystore = work.resolve("ftps-keystore.p12");
                char[] secret = "keystore-pass".toCharArray();
                writeKeyStore(keystore, pem, secret);
                SslConfigurationFactory ssl = new SslConfigurationFactory();
                ssl.setKeystoreFile(keystore.toFile());
                ssl.setKeystoreType("PKCS12");
                ssl.setKeystorePassword(new String(secret));
                ssl.setKeyPassword(new String(secret));
                listener.setSslConfiguration(ssl.createSslConfiguration());
                listener.setImplicitSsl(false); // explicit: AUTH TLS on the plain control port
                data.setImplicitSsl(false);
            }
            listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
            FtpServerFactory factory = new FtpServerFactory();
            factory.addListener("default", listener.createListener());
            var users = new PropertiesUserManagerFactory().createUserManager();
            BaseUser user = new BaseUser();
            user.setName(USER);
            user.setPassword(PASSWORD);
            user.setHomeDirectory(home.toString());
            List<Authority> authorities = List.of(new WritePermission(), new ConcurrentLoginPermission(20, 20));
            user.setAuthorities(authorities);
            users.save(user);
            factory.setUserManager(users);
            FtpServer server = factory.createServer();
            server.start();
            int port = factory.getListener("default").getPort();
            return new FtpsTestServer(server, port, home, pem, tls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (FtpException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("the test FTPS server did not start: " + e, e);
        }
    }

    /** The key and certificate, made once per JVM: making an RSA key takes a while, and every test starts a server. */
    private static KeyPair keys;
    private static X509Certificate certificate;

    /** A 2048-bit RSA key and a self-signed certificate for 127.0.0.1 and localhost, valid around now. */
    private static synchronized void writeKeyStore(Path keystore, Path pem, char[] secret) throws IOException,
            GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        if (keys == null) {
            makeCertificate();
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("ftps", keys.getPrivate(), secret, new java.security.cert.Certificate[] {certificate});
        try (OutputStream out = Files.newOutputStream(keystore)) {
            store.store(out, secret);
        }
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(certificate.getEncoded());
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n");
    }

    private static void makeCertificate() throws GeneralSecurityException,
            org.bouncycastle.operator.OperatorCreationException, IOException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        // The TLS stack checks validity against the machine's time, so the certificate is dated around it.
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=127.0.0.1, O=crmsync test");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(7))), name, pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
            new GeneralName(GeneralName.dNSName, "localhost")}));
        certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        keys = pair;
    }

    public int port() {
        return port;
    }

    /** The FTP user's home: files written here are on the server at {@code /name}. */
    public Path home() {
        return home;
    }

    public Path certificatePem() {
        return certificatePem;
    }

    /** {@code ftps://127.0.0.1:port/name} (or {@code ftp://} for a plain server). */
    public String url(String name) {
        return (tls ? "ftps" : "ftp") + "://127.0.0.1:" + port + "/" + name;
    }

    /** The connector keys for a file {@code name} in {@link #home()}. */
    public java.util.Map<String, String> config(String name) {
        java.util.Map<String, String> c = new java.util.LinkedHashMap<>();
        c.put(LuminateConfig.EXPORT_URL, url(name));
        c.put(LuminateConfig.FTP_LOGIN, USER);
        c.put(LuminateConfig.FTP_PASSWORD, PASSWORD);
        if (tls) {
            c.put(LuminateConfig.FTP_TLS_CERTIFICATE, certificatePem.toString());
        }
        return c;
    }

    @Override
    public void close() {
        server.stop();
    }
}
