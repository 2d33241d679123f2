package org.crmsync.luminate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A simulated Luminate site and its FTPS host, as tests and the examples use them: the simulator writes its
 * changed-records file into the FTPS server's folder on every change, and {@link #config()} is a
 * connector's configuration for both. Files live in a temporary folder, removed on close.
 */
public final class LuminateCrm implements AutoCloseable {
    public static final String FILE = "changed_constituents.csv";

    public final LuminateSimulator site;
    public final FtpsTestServer ftps;
    private final Path work;

    private LuminateCrm(LuminateSimulator site, FtpsTestServer ftps, Path work) {
        this.site = site;
        this.ftps = ftps;
        this.work = work;
    }

    public static LuminateCrm start(Clock clock) {
        Path work;
        try {
            work = Files.createTempDirectory("crmsync-luminate-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FtpsTestServer ftps = FtpsTestServer.start(work);
        LuminateSimulator site = LuminateSimulator.start(clock).exportTo(ftps.home(), FILE);
        return new LuminateCrm(site, ftps, work);
    }

    /** The simulator's API settings with the FTPS server's file. */
    public Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>(site.config());
        c.putAll(ftps.config(FILE));
        return c;
    }

    @Override
    public void close() {
        site.close();
        ftps.close();
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary folder left behind is harmless.
        }
    }
}
