package org.seemore.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inverted dropout with the mask drawn from the counter form of SplitMix64, the generator of
 * {@code org.seemore.tensor.Rng}: its i-th {@code nextFloat()} after state s is a pure function of
 * {@code s + (i+1)·γ}. So the mask needs no storage (backward draws it again from s), chunks of it
 * can be drawn on several threads, and it equals the mask drawn one {@code nextFloat()} at a time
 * (checked through {@code NnOps} against {@code NnOpsReference}, which draws it so).
 */
public final class DropoutKernel {
    /** SplitMix64's increment γ (Steele, Lea and Flood 2014). */
    public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    static final int PARALLEL_MIN = 1 << 15;

    /**
     * 64-bit lanes for the generator (the shape of {@link VectorMath#SPECIES}), and floats with as
     * many lanes for the values (half that shape).
     */
    private static final VectorSpecies<Long> LONGS = VectorMath.SPECIES.withLanes(long.class);
    private static final VectorSpecies<Float> FLOATS = VectorMath.SPECIES.withShape(
            VectorShape.forBitSize(LONGS.vectorBitSize() / 2));
    private static final int LANES = LONGS.length();

    private DropoutKernel() {}

    /**
     * {@code out[i] = x[xo + i] * (u_i < p ? 0 : keep)} for i in [0, n), u_i being the i-th uniform
     * float after generator state {@code state}. out may be x (when xo is 0).
     */
    public static void apply(float[] x, int xo, float[] out, int n, long state, float p, float keep) {
        // u < p exactly when its 24 random bits are below ceil(p * 2^24), as u = bits * 2^-24 is exact
        long threshold = (long) Math.ceil(p * 0x1.0p24);
        Parallel.parallelRange(n, PARALLEL_MIN, (s, e) -> {
            int i = s;
            if (FLOATS.length() == LANES) {
                LongVector step = LongVector.broadcast(LONGS, LANES * GOLDEN_GAMMA);
                LongVector z = LongVector.broadcast(LONGS, state + (s + 1L) * GOLDEN_GAMMA)
                        .add(LongVector.broadcast(LONGS, GOLDEN_GAMMA).mul(LongVector.zero(LONGS).addIndex(1)));
                FloatVector scale = FloatVector.broadcast(FLOATS, keep);
                for (int bound = s + LONGS.loopBound(e - s); i < bound; i += LANES, z = z.add(step)) {
                    LongVector bits = mix(z).lanewise(VectorOperators.LSHR, 40);
                    VectorMask<Float> drop = bits.compare(VectorOperators.LT, threshold).cast(FLOATS);
                    FloatVector.fromArray(FLOATS, x, xo + i).mul(scale).blend(0f, drop).intoArray(out, i);
                }
            }
            for (long zi = state + (i + 1L) * GOLDEN_GAMMA; i < e; i++, zi += GOLDEN_GAMMA) {
                out[i] = (mix(zi) >>> 40) < threshold ? 0f : x[xo + i] * keep;
            }
        });
    }

    /** SplitMix64's output function in every lane. */
    private static LongVector mix(LongVector z) {
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
        return z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
    }

    /** SplitMix64's output function. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
