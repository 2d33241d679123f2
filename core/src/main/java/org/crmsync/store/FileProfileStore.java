package org.crmsync.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.crmsync.CrmSyncException;
import org.crmsync.model.Profile;

/**
 * A {@link ProfileStore} kept in one JSON file, {@code store.json} in its directory, for the demo and
 * small applications. Profiles, the change log, and the sequence and local-id counters are held in
 * memory (an {@link InMemoryProfileStore} does the indexing) and the whole store is written after
 * every create, update or compaction, so reopening the directory restores it exactly.
 *
 * <p>Writes are atomic: the document goes to a temp file in the same directory, is forced to disk,
 * and is renamed over {@code store.json}, so a crash leaves the old or the new store, never half of
 * one. Because every write rewrites the whole file, loading many profiles one call at a time costs
 * time proportional to the square of their number; wrap bulk loads in {@link #inTransaction}, which
 * writes once at the end. The sync engine calls {@code create}/{@code update} once per record, and
 * each of those calls is written before it returns.
 *
 * <p>Only one store object, in one process, may use a directory at a time: while open, the store holds
 * its directory (a registry of the directories open in this process, and an exclusive lock on
 * {@code .lock} in the directory against other processes), and a second open fails with
 * {@code CONCURRENT_RUN}. {@link #close() Close} the store to release the directory; a store that is
 * never closed holds it until the process exits.
 *
 * <p>When writing {@code store.json} fails, the call throws {@code STORAGE_FAILED} and its change is
 * not saved. The store then releases the directory and every later call (reads too) throws
 * {@code STORAGE_FAILED}, instead of serving the unsaved change or saving it with the next write
 * (which would, say, let a retried create make a second profile); open the directory again to
 * continue from what is on disk.
 *
 * <p>Thread-safe.
 */
public final class FileProfileStore implements ProfileStore, AutoCloseable {
    /** The file the store is kept in, inside its directory. */
    public static final String FILE_NAME = "store.json";

    private final Object writeLock = new Object();
    private final StoreDirectory<InMemoryProfileStore> store;
    /** Guarded by {@link #writeLock}. */
    private int transactionDepth;

    private FileProfileStore(StoreDirectory<InMemoryProfileStore> store) {
        this.store = store;
    }

    /** Opens (or starts) the store in {@code directory}, with last-modified instants from the UTC system clock. */
    public static FileProfileStore open(Path directory) {
        return open(directory, Clock.systemUTC());
    }

    /**
     * Opens the store in {@code directory}, creating the directory when it does not exist.
     *
     * @throws CrmSyncException {@code STORAGE_FAILED} naming the file when it cannot be read or is corrupt;
     *     {@code CONCURRENT_RUN} naming the directory when another open store holds it
     */
    public static FileProfileStore open(Path directory, Clock clock) {
        requireNonNull(directory, "directory");
        requireNonNull(clock, "clock");
        return new FileProfileStore(StoreDirectory.open(directory, "profile store", FILE_NAME,
                root -> InMemoryProfileStore.fromJson(root, clock), () -> new InMemoryProfileStore(clock),
                InMemoryProfileStore::version, InMemoryProfileStore::toJson));
    }

    /** The store's directory. */
    public Path directory() {
        return store.directory();
    }

    /**
     * Releases the directory, after any transaction running in another thread ends. The store cannot be
     * used afterwards; closing twice, or closing a store whose write failed, is harmless.
     */
    @Override
    public void close() {
        synchronized (writeLock) {
            store.close();
        }
    }

    @Override
    public Optional<Profile> findByLocalId(String localId) {
        return memory().findByLocalId(localId);
    }

    @Override
    public List<Profile> findByConstituentId(String constituentId) {
        return memory().findByConstituentId(constituentId);
    }

    @Override
    public List<Profile> findByPhone(String e164) {
        return memory().findByPhone(e164);
    }

    @Override
    public List<Profile> findByEmail(String email) {
        return memory().findByEmail(email);
    }

    @Override
    public List<Profile> findByNameAndEmail(String firstName, String lastName, String email) {
        return memory().findByNameAndEmail(firstName, lastName, email);
    }

    @Override
    public Profile create(Profile profile, Optional<String> optInPath, String origin) {
        return inTransaction(() -> memory().create(profile, optInPath, origin));
    }

    @Override
    public Profile update(Profile profile, String origin) {
        return inTransaction(() -> memory().update(profile, origin));
    }

    @Override
    public List<LocalChange> changesSince(long afterSequence, int limit) {
        return memory().changesSince(afterSequence, limit);
    }

    @Override
    public long lastSequence() {
        return memory().lastSequence();
    }

    @Override
    public Stream<Profile> all() {
        return memory().all();
    }

    /** How many profiles the store holds. */
    public int size() {
        return memory().size();
    }

    /** The opt-in path the profile was created with, if any (see {@link InMemoryProfileStore#optInPath}). */
    public Optional<String> optInPath(String localId) {
        return memory().optInPath(localId);
    }

    /**
     * Runs {@code work} (which may create and update profiles, and nest further transactions) and
     * writes the store once, when the outermost transaction ends, also when the work fails part way:
     * what it changed stays changed, as it would without the transaction. Other threads' writes
     * wait until the work is done; their reads see the changes as they happen.
     */
    @Override
    public <T> T inTransaction(Supplier<T> work) {
        requireNonNull(work, "work");
        synchronized (writeLock) {
            store.checkUsable();
            transactionDepth++;
            T result;
            try {
                result = work.get();
            } catch (RuntimeException | Error e) {
                transactionDepth--;
                try {
                    writeIfChanged();
                } catch (RuntimeException writeFailure) {
                    e.addSuppressed(writeFailure);
                }
                throw e;
            }
            transactionDepth--;
            writeIfChanged();
            return result;
        }
    }

    /**
     * Drops the change-log entries with a sequence below {@code sequence}, which keeps the file from
     * growing forever. Call it only with the smallest cursor of all outbound jobs that read this store:
     * a job whose cursor is older would never see the dropped changes ({@link #changesSince} then
     * starts at the oldest entry left). {@link #lastSequence()} is unchanged.
     */
    public void compactChangesBefore(long sequence) {
        inTransaction(() -> {
            memory().compactChangesBefore(sequence);
            return null;
        });
    }

    /** The profiles, unless the store is closed or failed. */
    private InMemoryProfileStore memory() {
        return store.content();
    }

    /** Caller holds {@link #writeLock}. */
    private void writeIfChanged() {
        if (transactionDepth == 0) {
            store.writeIfChanged();
        }
    }
}
