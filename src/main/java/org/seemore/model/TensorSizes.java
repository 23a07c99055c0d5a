package org.seemore.model;

/**
 * Refuses a config whose parameter is too large for one tensor before anything is allocated: a
 * tensor's values are one Java array. Without it, {@code n_embd} 1000000 would fail deep in the
 * model's construction. How much memory the whole model needs is {@link MemoryEstimate}'s question.
 */
public final class TensorSizes {
    /** The most numbers one tensor holds. */
    public static final long MAX = Integer.MAX_VALUE;

    private TensorSizes() {}

    /** Throws, naming {@code what} (the settings that make the weight), when rows x cols does not fit one tensor. */
    public static void fits(String what, long rows, long cols) {
        if (rows > MAX || cols > MAX || rows * cols > MAX) {
            throw new IllegalArgumentException(what + " " + rows + " x " + cols + ", more numbers than the " + MAX + " a tensor holds");
        }
    }
}
