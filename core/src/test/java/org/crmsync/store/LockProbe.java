package org.crmsync.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.crmsync.CrmSyncException;

/**
 * Run in a child JVM by the lock tests: tries to open a store directory and prints {@code OPENED} (and
 * closes the store again) or {@code REFUSED <error code>}.
 *
 * <p>Arguments: {@code state} or {@code profiles}, then the directory.
 */
public final class LockProbe {
    private LockProbe() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[1]);
        try {
            if (args[0].equals("state")) {
                FileSyncStateStore.open(dir).close();
            } else {
                FileProfileStore.open(dir).close();
            }
            System.out.println("OPENED");
        } catch (CrmSyncException e) {
            System.out.println("REFUSED " + e.code());
        }
    }

    /**
     * Runs the probe in a child JVM on {@code dir} and returns what it printed, within a minute.
     *
     * @param kind {@code state} or {@code profiles}
     * @param scratch a directory for the child's output
     */
    static String probe(String kind, Path dir, Path scratch) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path output = Files.createTempFile(scratch, "probe-", ".txt");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LockProbe.class.getName(), kind, dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the lock probe did not finish within a minute: "
                        + Files.readString(output));
            }
        } finally {
            child.destroyForcibly();
        }
        String printed = Files.readString(output).strip();
        if (child.exitValue() != 0) {
            throw new AssertionError("the lock probe failed with exit code " + child.exitValue() + ": " + printed);
        }
        return printed;
    }
}
