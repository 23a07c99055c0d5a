package org.seemore.data.synth;

/**
 * The SplitMix64 generator (Steele, Lea and Flood, "Fast Splittable Pseudorandom Number
 * Generators", OOPSLA 2014), written out here rather than borrowed from {@code java.util} so that
 * the synthetic data is fixed by this file alone: the same seed gives the same scenes on every run,
 * JVM and platform. Only integer arithmetic and exact double scaling are used.
 */
public final class SplitMix64 {
    /** The odd increment from the paper: 2^64 divided by the golden ratio. */
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** A seed for an independent stream {@code stream} of {@code seed}: distinct streams give distinct seeds. */
    public static long derive(long seed, long stream) {
        return mix64(mix64(seed) + GOLDEN_GAMMA * (stream + 1));
    }

    /** The 64-bit finalizer used by SplitMix64 (a bijection on longs). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix64(state);
    }

    /** A uniform int in {@code [0, bound)}, without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long limit = (Long.MAX_VALUE / bound) * bound;
        long r;
        do {
            r = nextLong() >>> 1;
        } while (r >= limit);
        return (int) (r % bound);
    }

    /** A uniform int in {@code [-radius, radius]}. */
    public int nextSymmetric(int radius) {
        return nextInt(2 * radius + 1) - radius;
    }

    /** A uniform double in {@code [0, 1)} with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** A uniform double in {@code [low, high)}. */
    public double nextDouble(double low, double high) {
        return low + (high - low) * nextDouble();
    }
}
