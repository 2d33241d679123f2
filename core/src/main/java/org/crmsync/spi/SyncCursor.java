package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a sync left off: a small map of strings a connector defines (for example a timestamp and a
 * record id) or the engine defines (the local change sequence). Cursors are saved by the state store
 * between runs, so they stay small and serializable.
 */
public record SyncCursor(Map<String, String> values) {
    private static final SyncCursor EMPTY = new SyncCursor(Map.of());

    public SyncCursor {
        requireNonNull(values, "values");
        if (!(values instanceof FieldValues v && v.layout().sorted() && v.size() == v.layout().size())) {
            values = Collections.unmodifiableMap(new TreeMap<>(values)); // FieldValues in order: kept as it is
        }
    }

    /** The cursor before the first run: read everything. */
    public static SyncCursor start() {
        return EMPTY;
    }

    public static SyncCursor of(String key, String value) {
        return new SyncCursor(Map.of(key, value));
    }

    public static SyncCursor of(String k1, String v1, String k2, String v2) {
        return new SyncCursor(Map.of(k1, v1, k2, v2));
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public boolean isStart() {
        return values.isEmpty();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
