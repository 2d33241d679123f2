package org.crmsync.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.Pattern;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;

/**
 * File plumbing the file-backed stores share: durable creation of directories, atomic replacement of
 * a file, reading a JSON document with errors that name the file, and the checks on names that become
 * file names. {@link StoreDirectory} builds the stores' open, lock and write rules on these.
 */
final class StoreFiles {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    /** Temp files start with this, so a crash leaves nothing that looks like a store or report file. */
    static final String TEMP_PREFIX = ".crmsync-";
    static final String TEMP_SUFFIX = ".tmp";

    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]+");

    /** Runs after a temp file is written and forced, just before it is renamed over its target. */
    @FunctionalInterface
    interface BeforeRename {
        void run(Path temp, Path target) throws IOException;
    }

    /** Runs before anything is written into {@code dir} for {@code target}: before the temp file is created. */
    @FunctionalInterface
    interface BeforeWrite {
        void run(Path dir, Path target) throws IOException;
    }

    private static final BeforeRename NOTHING = (temp, target) -> {
    };
    private static final BeforeWrite NO_CHECK = (dir, target) -> {
    };

    /** Test hook, to make the rename step fail; does nothing unless a test sets it. */
    static volatile BeforeRename beforeRename = NOTHING;
    /**
     * Test hook, to make a directory refuse writes (as a read-only or full one does) whatever the
     * user's permissions; does nothing unless a test sets it.
     */
    static volatile BeforeWrite beforeWrite = NO_CHECK;

    static void resetHooks() {
        beforeRename = NOTHING;
        beforeWrite = NO_CHECK;
    }

    private StoreFiles() {
    }

    /**
     * Checks that a job id can name a directory: letters, digits, '.', '_' and '-', and not "." or
     * "..", which would point outside the reports directory.
     */
    static String requireSafeJobId(String jobId) {
        java.util.Objects.requireNonNull(jobId, "jobId");
        if (!SAFE_ID.matcher(jobId).matches() || jobId.equals(".") || jobId.equals("..")) {
            throw new IllegalArgumentException("job id '" + jobId
                    + "' may only contain letters, digits, '.', '_' and '-' (and may not be '.' or '..')");
        }
        return jobId;
    }

    /**
     * Replaces {@code target} with {@code content} so that a reader (or a restart after a crash) sees
     * either the old file or the new one, never a half-written one: the bytes go to a temp file in the
     * same directory, are forced to disk, and the temp file is renamed over the target. The directories
     * it creates and the rename itself are made durable by forcing the directories that hold them.
     */
    static void writeAtomically(Path target, byte[] content) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = null;
        try {
            createDirectories(dir);
            beforeWrite.run(dir, target);
            temp = Files.createTempFile(dir, TEMP_PREFIX + target.getFileName() + "-", TEMP_SUFFIX);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            beforeRename.run(temp, target);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            forceDirectory(dir);
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not write " + target + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write already failed and is reported; a leftover temp file is removed on the next open
                }
            }
        }
    }

    static void writeJsonAtomically(Path target, JsonNode root) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.INTERNAL, "could not serialize " + target + ": " + e, e);
        }
        writeAtomically(target, bytes);
    }

    /**
     * Creates {@code dir} and its missing parents, like {@link Files#createDirectories}, and forces each
     * created directory's parent to disk so that a crash cannot lose the new directory (and with it the
     * files about to be written into it).
     */
    static void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path created = missing.pop();
            try {
                Files.createDirectory(created);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(created)) {
                    throw e;
                }
                continue; // made at the same moment by someone else, who forces it
            }
            Path parent = created.getParent();
            if (parent != null) {
                forceDirectory(parent);
            }
        }
    }

    /**
     * Forces a directory's entries (a new file or directory, a rename) to disk. Not every platform can
     * open a directory (Windows cannot): then this does nothing.
     */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the file's own contents were forced before the rename
        }
    }

    /**
     * Reads a JSON object, or empty when the file does not exist.
     *
     * @throws CrmSyncException {@code STORAGE_FAILED} naming the file when it cannot be read or is not
     *     a JSON object
     */
    static Optional<JsonNode> readJsonObject(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw corrupt(file, e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw corrupt(file, "it does not hold a JSON object", null);
        }
        return Optional.of(root);
    }

    static CrmSyncException corrupt(Path file, String why, Throwable cause) {
        return new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not read " + file + ": " + why
                + ". Restore the file from a backup; crmsync does not start over from an empty state on its own,"
                + " because that would sync everything again or lose records waiting for a retry", cause);
    }

    /** Removes temp files an interrupted write left behind. */
    static void deleteLeftoverTempFiles(Path dir) {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, TEMP_PREFIX + "*" + TEMP_SUFFIX)) {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED,
                    "could not remove leftover temp files in " + dir + ": " + e, e);
        }
    }

    // Strict readers for the stores' own documents: a missing or mistyped member is a corrupt file.

    static JsonNode member(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new IllegalStateException("'" + name + "' is missing");
        }
        return value;
    }

    static String text(JsonNode node, String name) {
        JsonNode value = member(node, name);
        if (!value.isTextual()) {
            throw new IllegalStateException("'" + name + "' is not a string");
        }
        return value.textValue();
    }

    static long number(JsonNode node, String name) {
        return wholeNumber(member(node, name), "'" + name + "'");
    }

    /** A whole number that fits a {@code long}; {@code what} names the value in the error. */
    static long wholeNumber(JsonNode value, String what) {
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalStateException(what + " is not a whole number");
        }
        return value.longValue();
    }

    static boolean bool(JsonNode node, String name) {
        JsonNode value = member(node, name);
        if (!value.isBoolean()) {
            throw new IllegalStateException("'" + name + "' is not true or false");
        }
        return value.booleanValue();
    }

    static JsonNode object(JsonNode node, String name) {
        JsonNode value = member(node, name);
        if (!value.isObject()) {
            throw new IllegalStateException("'" + name + "' is not an object");
        }
        return value;
    }

    static JsonNode array(JsonNode node, String name) {
        JsonNode value = member(node, name);
        if (!value.isArray()) {
            throw new IllegalStateException("'" + name + "' is not an array");
        }
        return value;
    }

    static String textValue(JsonNode value, String what) {
        if (value == null || !value.isTextual()) {
            throw new IllegalStateException(what + " is not a string");
        }
        return value.textValue();
    }
}
