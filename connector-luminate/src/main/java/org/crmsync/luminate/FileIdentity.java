package org.crmsync.luminate;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.crmsync.spi.SyncCursor;

/**
 * Which changed-records file a run read: its name, size and modification time as the server gave them.
 * The cursor keeps it, so the same file is not applied twice and a new one (another size or time under
 * the same name, or another name) is never missed.
 */
record FileIdentity(String name, long size, String modified) {
    static final String CURSOR_FILE = "file";
    static final String CURSOR_SIZE = "size";
    static final String CURSOR_MODIFIED = "modified";
    static final String CURSOR_LINE = "line";
    /** The line of a cursor past the file's last row: the whole file was applied. */
    static final String END = "end";

    FileIdentity {
        requireNonNull(name, "name");
        requireNonNull(modified, "modified");
    }

    /** The cursor after {@code line} of this file ({@link #END} past its end). */
    SyncCursor cursor(String line) {
        return new SyncCursor(java.util.Map.of(CURSOR_FILE, name, CURSOR_SIZE, Long.toString(size), CURSOR_MODIFIED,
                modified, CURSOR_LINE, line));
    }

    /** The file a cursor names, if it names one. */
    static Optional<FileIdentity> of(SyncCursor cursor) {
        Optional<String> name = cursor.get(CURSOR_FILE);
        Optional<String> size = cursor.get(CURSOR_SIZE).filter(s -> s.matches("-?[0-9]{1,19}"));
        if (name.isEmpty() || size.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new FileIdentity(name.get(), Long.parseLong(size.get()),
                cursor.get(CURSOR_MODIFIED).orElse("")));
    }

    /** For messages and the report. */
    String describe() {
        return name + " (" + size + " bytes, modified " + (modified.isEmpty() ? "at an unknown time" : modified) + ")";
    }
}
