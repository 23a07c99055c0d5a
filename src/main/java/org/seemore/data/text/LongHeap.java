package org.seemore.data.text;

import java.util.Arrays;

/** A binary min-heap of longs: the merge queues of BPE, with the priority packed into the key so that nothing is boxed. */
public final class LongHeap {
    private long[] items;
    private int size;

    public LongHeap(int capacity) {
        items = new long[Math.max(4, capacity)];
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void push(long item) {
        if (size == items.length) items = Arrays.copyOf(items, 2 * size);
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (items[parent] <= item) break;
            items[i] = items[parent];
            i = parent;
        }
        items[i] = item;
    }

    public long pop() {
        long top = items[0];
        long last = items[--size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && items[child + 1] < items[child]) child++;
            if (items[child] >= last) break;
            items[i] = items[child];
            i = child;
        }
        items[i] = last;
        return top;
    }
}
