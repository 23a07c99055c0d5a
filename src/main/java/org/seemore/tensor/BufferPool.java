package org.seemore.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Free float buffers kept from one training step for the next, so that a step's activations and
 * gradients reuse the memory of the previous step's instead of becoming garbage. Used through a
 * {@link StepArena}, which leases buffers from the pool and gives them back when the step ends.
 *
 * <p>Buffers come in size classes (eight per power of two, so at most 12.5% is wasted): the routed
 * token counts of a mixture of experts change every step, and exact lengths would rarely match. A
 * buffer may therefore be longer than asked for; tensors over pooled storage use only their size.
 *
 * <p>A request whose class has no free buffer takes one of the next {@link #LARGER_CLASSES} classes
 * up, when free, rather than allocating (then up to about half of it is unused).
 *
 * <p>Bounded: when a step ends ({@link #trim}), the buffers of a class that stayed free through each
 * of the last {@link #WINDOW} steps are dropped, so the pool holds no more than the peak use of each
 * class over those steps. The window keeps what a step with other routed token counts needs.
 *
 * <p>Not thread-safe: one pool serves one training loop (its arena's thread).
 */
public final class BufferPool {
    /** Below this many floats a buffer is allocated plainly: small arrays are cheap garbage. */
    public static final int MIN_POOLED = 4096;

    /**
     * With the system property {@code seemore.pool.poison=true} (set by the tests), every buffer
     * handed out uninitialized and every buffer given back is filled with NaN, so that an op that
     * reads memory it did not write, or a reader of released storage, shows up in the results.
     */
    static final boolean POISON = Boolean.getBoolean("seemore.pool.poison");

    /** Steps a free buffer is kept unused before it is dropped. */
    public static final int WINDOW = 32;

    /** How many classes above its own a request may take a free buffer from. */
    static final int LARGER_CLASSES = 3;

    private static final class SizeClass {
        final ArrayDeque<float[]> free = new ArrayDeque<>();
        int lowWater;                          // fewest free buffers since the last trim: not needed this step
        final int[] recentLowWater = new int[WINDOW]; // the low-water marks of the last steps
        int steps;

    }

    private final Map<Integer, SizeClass> classes = new HashMap<>();
    private long pooledBytes;
    private long allocatedBuffers;

    /** The capacity of the class that holds {@code n} floats: n rounded up to 1/8 of its power of two. */
    static int capacity(int n) {
        if (n <= 8) return n;
        int granule = Integer.highestOneBit(n - 1) >>> 3;
        long rounded = ((long) n + granule - 1) / granule * granule;
        return (int) Math.min(rounded, Integer.MAX_VALUE - 8);
    }

    /** A buffer of at least {@code n} floats; zero-filled when {@code zeroed}, else of unspecified contents. */
    float[] take(int n, boolean zeroed) {
        int cap = capacity(n);
        float[] buffer = null;
        for (int k = 0, size = cap; k <= LARGER_CLASSES && buffer == null; k++, size = capacity(size + 1)) {
            SizeClass c = classes.get(size);
            if (c == null) continue;
            buffer = c.free.pollLast();
            c.lowWater = Math.min(c.lowWater, c.free.size());
        }
        if (buffer == null) {
            allocatedBuffers++;
            return new float[cap]; // already zero
        }
        pooledBytes -= 4L * buffer.length;
        if (zeroed) Arrays.fill(buffer, 0f);
        else if (POISON) Arrays.fill(buffer, Float.NaN);
        return buffer;
    }

    /** Takes back a buffer from {@link #take}; the caller must hold no reference to it any more. */
    void give(float[] buffer) {
        if (POISON) Arrays.fill(buffer, Float.NaN);
        SizeClass c = classes.computeIfAbsent(buffer.length, k -> new SizeClass());
        c.free.addLast(buffer);
        pooledBytes += 4L * buffer.length;
    }

    /** Drops the buffers that no take needed in the last {@link #WINDOW} steps (called when a step ends). */
    void trim() {
        var it = classes.values().iterator();
        while (it.hasNext()) {
            SizeClass c = it.next();
            c.recentLowWater[c.steps++ % WINDOW] = c.lowWater;
            int idle = Integer.MAX_VALUE;
            for (int w : c.recentLowWater) idle = Math.min(idle, w);
            if (c.steps < WINDOW) idle = 0; // not yet a window's worth of steps
            for (int i = 0; i < idle; i++) pooledBytes -= 4L * c.free.pollFirst().length;
            for (int j = 0; j < WINDOW; j++) c.recentLowWater[j] -= idle;
            if (c.free.isEmpty() && c.steps >= WINDOW) it.remove();
            else c.lowWater = c.free.size();
        }
    }

    /** Bytes held in free buffers. */
    public long pooledBytes() { return pooledBytes; }

    /** Free buffers held. */
    public int pooledBuffers() {
        int n = 0;
        for (SizeClass c : classes.values()) n += c.free.size();
        return n;
    }

    /** Buffers that had to be allocated because none was free, since the pool was made. */
    public long allocatedBuffers() { return allocatedBuffers; }
}
