package org.seemore.tensor;

/**
 * A seeded random number generator (SplitMix64) with uniform and normal draws. The same seed gives
 * the same numbers on every run and JVM; the state can be saved and restored for resumable training.
 */
public final class Rng {
    private long state;
    private double spareNormal;
    private boolean hasSpare;

    public Rng(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) as a float (24 random bits). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        return (int) (((nextLong() >>> 33) * bound) >>> 31);
    }

    /** Standard normal (Box–Muller, polar form). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareNormal;
        }
        double u, v, s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spareNormal = v * m;
        hasSpare = true;
        return u * m;
    }

    /** A new generator whose stream is independent of this one's. */
    public Rng split() {
        return new Rng(nextLong());
    }

    public float[] uniform(int n, float low, float high) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = low + (high - low) * nextFloat();
        return out;
    }

    public float[] normal(int n, float mean, float std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (mean + std * nextGaussian());
        return out;
    }

    /** The full state, to save with a checkpoint. */
    public long[] state() {
        return new long[] {state, Double.doubleToRawLongBits(spareNormal), hasSpare ? 1 : 0};
    }

    public void restore(long[] saved) {
        state = saved[0];
        spareNormal = Double.longBitsToDouble(saved[1]);
        hasSpare = saved[2] != 0;
    }
}
