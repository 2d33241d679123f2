package org.crmsync.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/** Ways for tests to make a store's writes fail. */
final class WriteFaults {
    private WriteFaults() {
    }

    /** Makes every atomic write into {@code dir} fail at the rename, until {@link #clear()}. */
    static void failRenamesIn(Path dir) {
        Path absolute = dir.toAbsolutePath();
        StoreFiles.beforeRename = (temp, target) -> {
            if (target.toAbsolutePath().startsWith(absolute)) {
                throw new IOException("injected failure: no space left on device");
            }
        };
    }

    static void clear() {
        StoreFiles.resetBeforeRename();
    }

    /**
     * Makes {@code dir} read-only, or skips the test where that does not stop writes (not a POSIX file
     * system, or running as root).
     */
    static void makeReadOnly(Path dir) throws IOException {
        Assumptions.assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"),
                "needs POSIX file permissions");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        boolean stillWritable;
        try {
            Files.delete(Files.createTempFile(dir, "probe-", ".tmp"));
            stillWritable = true;
        } catch (IOException e) {
            stillWritable = false;
        }
        if (stillWritable) {
            makeWritable(dir);
        }
        Assumptions.assumeFalse(stillWritable, "permissions do not stop this user (root?) from writing");
    }

    static void makeWritable(Path dir) throws IOException {
        Set<PosixFilePermission> all = PosixFilePermissions.fromString("rwx------");
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(dir, all);
        }
    }
}
