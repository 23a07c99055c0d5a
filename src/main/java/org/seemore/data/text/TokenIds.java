package org.seemore.data.text;

import java.util.Arrays;

/** A growable list of token ids, so that encoders append without boxing. */
public final class TokenIds {
    private int[] ids = new int[16];
    private int size;

    public void add(int id) {
        if (size == ids.length) ids = Arrays.copyOf(ids, 2 * size);
        ids[size++] = id;
    }

    public void addAll(int[] more) {
        if (size + more.length > ids.length) ids = Arrays.copyOf(ids, Math.max(2 * ids.length, size + more.length));
        System.arraycopy(more, 0, ids, size, more.length);
        size += more.length;
    }

    public int size() {
        return size;
    }

    public int[] toArray() {
        return Arrays.copyOf(ids, size);
    }
}
