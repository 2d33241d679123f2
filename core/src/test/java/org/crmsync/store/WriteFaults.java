package org.crmsync.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;

/**
 * Ways for tests to make a store's writes fail, through the {@link StoreFiles} hooks: they fail the same
 * way for every user (root included) and on every file system, so the tests using them never skip.
 */
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

    /**
     * Makes {@code dir} refuse every write, as a read-only directory does for a user without root's
     * powers: nothing is created in it (not even the temp file of an atomic write), until {@link #clear()}.
     */
    static void refuseWritesIn(Path dir) {
        Path absolute = dir.toAbsolutePath();
        StoreFiles.beforeWrite = (into, target) -> {
            if (into.toAbsolutePath().startsWith(absolute)) {
                throw new AccessDeniedException(into.toString(), null, "injected failure: read-only directory");
            }
        };
    }

    static void clear() {
        StoreFiles.resetHooks();
    }
}
