package org.seemore.tensor.kernels;

/**
 * Inverted dropout with the mask drawn from the counter form of SplitMix64, the generator of
 * {@code org.seemore.tensor.Rng}: its i-th {@code nextFloat()} after state s is a pure function of
 * {@code s + (i+1)·γ}. So the mask needs no storage (backward draws it again from s), chunks of it
 * can be drawn on several threads, and it equals the mask drawn one {@code nextFloat()} at a time.
 */
public final class DropoutKernel {
    /** SplitMix64's increment γ (Steele, Lea and Flood 2014). */
    public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    static final int PARALLEL_MIN = 1 << 15;

    private DropoutKernel() {}

    /**
     * {@code out[i] = x[xo + i] * (u_i < p ? 0 : keep)} for i in [0, n), u_i being the i-th uniform
     * float after generator state {@code state}. out may be x (when xo is 0).
     */
    public static void apply(float[] x, int xo, float[] out, int n, long state, float p, float keep) {
        Parallel.parallelRange(n, PARALLEL_MIN, (s, e) -> {
            long z0 = state + (s + 1L) * GOLDEN_GAMMA;
            for (int i = s; i < e; i++, z0 += GOLDEN_GAMMA) {
                float u = (mix(z0) >>> 40) * 0x1.0p-24f;
                out[i] = u < p ? 0f : x[xo + i] * keep;
            }
        });
    }

    /** SplitMix64's output function. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
