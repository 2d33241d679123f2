package org.crmsync.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;

/**
 * What the file-backed stores share: a directory that one store object at a time may use, and the
 * JSON document the store keeps in it, held in memory as a {@code T} and written atomically whenever
 * its version changes.
 *
 * <p><b>One store per directory.</b> {@link #open} takes the directory for this object: first in a
 * registry of the directories open in this process (by real path), then with an exclusive
 * {@link FileLock} on {@value #LOCK_FILE} in the directory, which keeps out other processes. The
 * registry is checked before any channel on the lock file is opened, because on Linux closing
 * <em>any</em> channel on a file releases every lock the process holds on it: a refused second open
 * in this process must not touch the lock file at all. {@link #close} (or a failed write) releases
 * both.
 *
 * <p><b>A failed write ends the object.</b> When writing the document fails, the change it holds is
 * in memory only; serving it, or saving it with a later change, would let a caller that retries
 * the failed call apply it twice. So the object releases the directory and every later call fails
 * with {@code STORAGE_FAILED} until the directory is opened again, which reads what is on disk.
 *
 * <p>Thread-safe; {@link #content()} may be called without holding the owning store's lock.
 */
final class StoreDirectory<T> {
    static final String LOCK_FILE = ".lock";

    /** Real paths of the directories a store in this process holds. */
    private static final Set<Path> OPEN_IN_THIS_PROCESS = ConcurrentHashMap.newKeySet();

    private enum State { OPEN, FAILED, CLOSED }

    private final String kind;
    private final Path directory;
    private final Path realDirectory;
    private final Path file;
    private final T content;
    private final ToLongFunction<T> version;
    private final Function<T, JsonNode> toJson;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Guarded by {@code this}. */
    private long writtenVersion;
    /** Guarded by {@code this}. */
    private boolean released;
    private volatile State state = State.OPEN;
    private volatile Throwable failure;

    private StoreDirectory(String kind, Path directory, Path realDirectory, Path file, T content,
            ToLongFunction<T> version, Function<T, JsonNode> toJson, FileChannel lockChannel, FileLock lock) {
        this.kind = kind;
        this.directory = directory;
        this.realDirectory = realDirectory;
        this.file = file;
        this.content = content;
        this.version = version;
        this.toJson = toJson;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.writtenVersion = version.applyAsLong(content);
    }

    /**
     * Creates {@code directory} when needed, takes it for the new object, removes temp files an
     * interrupted write left behind, and reads {@code fileName} in it.
     *
     * @param kind what the directory holds, for messages ("sync state", "profile store")
     * @param fromJson rebuilds the content from the document; throws a runtime exception saying what is
     *     wrong with it, which is reported as a corrupt file
     * @param empty the content when the file does not exist yet
     * @param version a number that changes whenever the content changes
     * @param toJson the content as the document to write
     * @throws CrmSyncException {@code CONCURRENT_RUN} naming the directory when another store, in this
     *     process or another, holds it; {@code STORAGE_FAILED} naming the file when it cannot be read or
     *     is corrupt, or when the directory cannot be created or locked
     */
    static <T> StoreDirectory<T> open(Path directory, String kind, String fileName, Function<JsonNode, T> fromJson,
            Supplier<T> empty, ToLongFunction<T> version, Function<T, JsonNode> toJson) {
        Path dir = directory.toAbsolutePath();
        Path real;
        try {
            StoreFiles.createDirectories(dir);
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not create the " + kind + " directory " + dir
                    + ": " + e, e);
        }
        if (!OPEN_IN_THIS_PROCESS.add(real)) {
            throw new CrmSyncException(ErrorCode.CONCURRENT_RUN, "the " + kind + " directory " + dir
                    + " is already open in another store in this process; close that one first");
        }
        FileChannel channel = null;
        try {
            try {
                channel = FileChannel.open(real.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not open the lock file of the " + kind
                        + " directory " + dir + ": " + e, e);
            }
            FileLock lock = tryLock(channel, dir, kind);
            StoreFiles.deleteLeftoverTempFiles(dir);
            Path file = dir.resolve(fileName);
            Optional<JsonNode> root = StoreFiles.readJsonObject(file);
            T content;
            try {
                content = root.isEmpty() ? empty.get() : fromJson.apply(root.get());
            } catch (RuntimeException e) {
                throw StoreFiles.corrupt(file, e.getMessage(), e);
            }
            return new StoreDirectory<>(kind, dir, real, file, content, version, toJson, channel, lock);
        } catch (RuntimeException | Error e) {
            // Only this object has a channel on the lock file in this process (the registry saw to
            // that), so closing it releases no other store's lock.
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            OPEN_IN_THIS_PROCESS.remove(real);
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel, Path dir, String kind) {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // the same file reached through another path (a link); held in this process
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not lock the " + kind + " directory " + dir
                    + ": " + e, e);
        }
        if (lock == null) {
            throw new CrmSyncException(ErrorCode.CONCURRENT_RUN, "the " + kind + " directory " + dir
                    + " is already open in another store (another process); close that one first");
        }
        return lock;
    }

    /** The directory, absolute, as it was given to {@link #open}. */
    Path directory() {
        return directory;
    }

    /**
     * The content, for a call on the store.
     *
     * @throws IllegalStateException when the store is closed
     * @throws CrmSyncException {@code STORAGE_FAILED} when an earlier write failed
     */
    T content() {
        checkUsable();
        return content;
    }

    /**
     * Throws unless the store can be used.
     *
     * @throws IllegalStateException when the store is closed
     * @throws CrmSyncException {@code STORAGE_FAILED} when an earlier write failed
     */
    void checkUsable() {
        State s = state;
        if (s == State.CLOSED) {
            throw new IllegalStateException("the " + kind + " of " + directory + " is closed");
        }
        if (s == State.FAILED) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "the " + kind + " of " + directory
                    + " could not save a change earlier, so what it holds in memory is not what is on disk;"
                    + " it refuses every call: reopen the store (open the directory again) to continue from"
                    + " what is on disk", failure);
        }
    }

    /**
     * Writes the document when the content changed since the last write. When the write fails, the store
     * fails for good (see the class comment) and the exception says so.
     *
     * @throws CrmSyncException {@code STORAGE_FAILED} when the write fails or an earlier one did
     * @throws IllegalStateException when the store is closed
     */
    synchronized void writeIfChanged() {
        checkUsable();
        long v = version.applyAsLong(content);
        if (v == writtenVersion) {
            return;
        }
        try {
            StoreFiles.writeJsonAtomically(file, toJson.apply(content));
        } catch (RuntimeException e) {
            CrmSyncException failed = new CrmSyncException(
                    e instanceof CrmSyncException c ? c.code() : ErrorCode.STORAGE_FAILED,
                    e.getMessage() + ". The change is not saved; the " + kind + " of " + directory
                            + " refuses every further call: reopen the store (open the directory again) to continue"
                            + " from what is on disk", e);
            fail(e, failed);
            throw failed;
        } catch (Error e) {
            fail(e, e);
            throw e;
        }
        writtenVersion = v;
    }

    /** Caller holds {@code this}. */
    private void fail(Throwable cause, Throwable thrown) {
        failure = cause;
        state = State.FAILED;
        try {
            release();
        } catch (RuntimeException releaseFailure) {
            thrown.addSuppressed(releaseFailure);
        }
    }

    /** Releases the directory. The store cannot be used afterwards; closing twice is harmless. */
    synchronized void close() {
        state = State.CLOSED;
        release();
    }

    private void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            try {
                lock.release();
            } finally {
                lockChannel.close();
            }
        } catch (IOException e) {
            throw new CrmSyncException(ErrorCode.STORAGE_FAILED, "could not release the lock of the " + kind
                    + " directory " + directory + ": " + e, e);
        } finally {
            OPEN_IN_THIS_PROCESS.remove(realDirectory);
        }
    }
}
