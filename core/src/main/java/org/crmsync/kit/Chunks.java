package org.crmsync.kit;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Splits a batch into the pieces a CRM's call takes: at most so many records, and at most so many
 * bytes (or characters) in all, as the CRM's limits say (Salesforce Collections: 200 records; the
 * ActiveCampaign importer: 250 contacts and about 390 KB; a query URI of 16,384 bytes). Order is kept.
 * A single record larger than the size limit is a chunk of its own; the caller decides what to do
 * with it.
 */
public final class Chunks {
    private Chunks() {
    }

    /** Pieces of at most {@code maxCount} records. */
    public static <T> List<List<T>> byCount(List<T> items, int maxCount) {
        return byCountAndSize(items, maxCount, Long.MAX_VALUE, t -> 0);
    }

    /**
     * Pieces of at most {@code maxCount} records whose {@code size}s add up to at most {@code maxSize}.
     *
     * @param size a record's share of the limit (its bytes in the request, say)
     */
    public static <T> List<List<T>> byCountAndSize(List<T> items, int maxCount, long maxSize, ToLongFunction<T> size) {
        requireNonNull(items, "items");
        requireNonNull(size, "size");
        if (maxCount < 1 || maxSize < 1) {
            throw new IllegalArgumentException("chunks need room for a record: maxCount " + maxCount + ", maxSize "
                    + maxSize);
        }
        List<List<T>> chunks = new ArrayList<>();
        List<T> chunk = new ArrayList<>();
        long used = 0;
        for (T item : items) {
            long s = size.applyAsLong(item);
            if (!chunk.isEmpty() && (chunk.size() >= maxCount || used + s > maxSize)) {
                chunks.add(List.copyOf(chunk));
                chunk = new ArrayList<>();
                used = 0;
            }
            chunk.add(item);
            used += s;
        }
        if (!chunk.isEmpty()) {
            chunks.add(List.copyOf(chunk));
        }
        return chunks;
    }
}
