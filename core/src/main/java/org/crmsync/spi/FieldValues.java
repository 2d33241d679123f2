package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable map of field name to value for the many records of one read that share their field
 * names, such as the rows of one export file: the names and their positions are one {@link Layout},
 * shared by every record, and each record holds only its values. Iteration follows the layout's order.
 * A name without a value is absent: keys and values are never null.
 *
 * <p>{@link RemoteRecord} keeps a {@code FieldValues} as it is instead of copying it, so a record read
 * from a file costs one array, not three maps.
 */
public final class FieldValues extends AbstractMap<String, String> {
    private final Layout layout;
    private final String[] values;
    private final int size;
    private Set<Entry<String, String>> entries;

    private FieldValues(Layout layout, String[] values) {
        this.layout = layout;
        this.values = values;
        int n = 0;
        for (String v : values) {
            if (v != null) {
                n++;
            }
        }
        this.size = n;
    }

    /** The field names of a read, in order, each once. */
    public static final class Layout {
        private final String[] names;
        private final Map<String, Integer> positions;
        private final boolean sorted;

        private Layout(List<String> names) {
            this.names = names.toArray(String[]::new);
            boolean inOrder = true;
            for (int i = 1; i < this.names.length; i++) {
                inOrder &= this.names[i - 1].compareTo(this.names[i]) < 0;
            }
            this.sorted = inOrder;
            this.positions = new HashMap<>(names.size() * 2);
            for (int i = 0; i < this.names.length; i++) {
                if (positions.put(requireNonNull(this.names[i], "field name"), i) != null) {
                    throw new IllegalArgumentException("the field name " + this.names[i] + " is given twice");
                }
            }
        }

        public static Layout of(List<String> names) {
            return new Layout(requireNonNull(names, "names"));
        }

        /** Whether the names are in their natural order (so values iterate as a sorted map's would). */
        public boolean sorted() {
            return sorted;
        }

        /** How many names the layout has. */
        public int size() {
            return names.length;
        }

        /** The positions of these names (null or unknown: -1), to read many records by {@link #valueAt}. */
        public int[] positions(String[] names) {
            int[] at = new int[names.length];
            for (int i = 0; i < names.length; i++) {
                at[i] = names[i] == null ? -1 : position(names[i]);
            }
            return at;
        }

        /** The position of {@code name}, or -1 when the layout has no such name. */
        public int position(String name) {
            Integer i = positions.get(name);
            return i == null ? -1 : i;
        }

        /**
         * The values of one record, by position ({@code null}: no value). The array is taken, not copied:
         * the caller must not change it afterwards.
         */
        public FieldValues values(String[] byPosition) {
            if (byPosition.length != names.length) {
                throw new IllegalArgumentException("the layout has " + names.length + " names, not "
                        + byPosition.length);
            }
            return new FieldValues(this, byPosition);
        }
    }

    /** The names these values are laid out by. */
    public Layout layout() {
        return layout;
    }

    /** The value at a position of {@link #layout()}; null when there is none. */
    public String valueAt(int position) {
        return values[position];
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public String get(Object name) {
        int i = name instanceof String s ? layout.position(s) : -1;
        return i < 0 ? null : values[i];
    }

    @Override
    public boolean containsKey(Object name) {
        return get(name) != null;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super String> action) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                action.accept(layout.names[i], values[i]);
            }
        }
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        if (entries == null) {
            entries = new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, String>> iterator() {
                    return new Iterator<>() {
                        private int next = advance(0);

                        private int advance(int from) {
                            int i = from;
                            while (i < values.length && values[i] == null) {
                                i++;
                            }
                            return i;
                        }

                        @Override
                        public boolean hasNext() {
                            return next < values.length;
                        }

                        @Override
                        public Entry<String, String> next() {
                            if (next >= values.length) {
                                throw new NoSuchElementException();
                            }
                            Entry<String, String> e = new SimpleImmutableEntry<>(layout.names[next], values[next]);
                            next = advance(next + 1);
                            return e;
                        }
                    };
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
        return entries;
    }

    /** Names the fields, never their values, which are personal data. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("FieldValues");
        String sep = "[";
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                b.append(sep).append(layout.names[i]);
                sep = ", ";
            }
        }
        return b.append(size == 0 ? "[]" : "]").toString();
    }
}
