package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.seemore.tensor.MathF;

/** The vector exp and GELU against double-precision {@link Math#exp} and erfc, and the lanes' summing order. */
class VectorMathTest {
    private static final int L = VectorMath.LANES;

    private static float[] apply(java.util.function.UnaryOperator<FloatVector> f, float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += L) f.apply(FloatVector.fromArray(VectorMath.SPECIES, x, i)).intoArray(out, i);
        return out;
    }

    private static float[] grid(float from, float to, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = from + (to - from) * i / (n - 1);
        return x;
    }

    @Test
    void expIsWithinTwoUlpAndFlushesSubnormalsToZero() {
        float[] x = grid(-110f, 88f, 160_000);
        float[] y = apply(VectorMath::exp, x);
        double worstUlp = 0;
        for (int i = 0; i < x.length; i++) {
            double want = Math.exp(x[i]);
            if (want < Float.MIN_NORMAL) {
                assertThat(y[i]).as("exp(%s)", x[i]).isBetween(0f, Float.MIN_NORMAL);
                continue;
            }
            worstUlp = Math.max(worstUlp, Math.abs(y[i] - want) / Math.ulp((float) want));
        }
        System.out.printf("exp: worst error %.2f ulp%n", worstUlp);
        assertThat(worstUlp).isLessThanOrEqualTo(2.0);
        float[] special = new float[L];
        special[0] = 0f;
        special[1] = Float.NEGATIVE_INFINITY;
        special[2] = -1000f;
        float[] s = apply(VectorMath::exp, special);
        assertThat(s[0]).isEqualTo(1f);
        assertThat(s[1]).isEqualTo(0f);
        assertThat(s[2]).isEqualTo(0f);
    }

    @Test
    void geluAndItsDerivativeMatchTheDoubleReference() {
        float[] x = grid(-12f, 12f, 48_000);
        float[] y = new float[x.length], dy = new float[x.length];
        java.util.Arrays.fill(dy, 1f);
        Activations.gelu(x, 0, y, x.length);
        Activations.geluBackward(dy, x, 0, x.length);
        double worst = 0, worstGrad = 0;
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            double want = v * MathF.normalCdf(v);
            double wantGrad = MathF.normalCdf(v) + v * MathF.normalPdf(v);
            // relative error; the derivative's relative to its larger term, as it crosses zero near x = -0.75
            worst = Math.max(worst, Math.abs(y[i] - want) / Math.abs(want));
            worstGrad = Math.max(worstGrad, Math.abs(dy[i] - wantGrad) / Math.max(Math.abs(wantGrad), MathF.normalCdf(v)));
        }
        System.out.printf("gelu: worst relative error %.2e, derivative %.2e%n", worst, worstGrad);
        assertThat(worst).isLessThan(1e-6);
        assertThat(worstGrad).isLessThan(1e-6);
    }

    @Test
    void lanesAreSummedInLaneOrderBeforeAndAfterCompilation() {
        java.util.Random r = new java.util.Random(9);
        float[] a = new float[L * 64];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 6)); // wide range: order matters
        for (int round = 0; round < 3000; round++) { // enough calls for the JIT to compile sumLanes on the way
            for (int v = 0; v < 64; v++) {
                float want = a[v * L];
                for (int i = 1; i < L; i++) want += a[v * L + i];
                float got = VectorMath.sumLanes(FloatVector.fromArray(VectorMath.SPECIES, a, v * L));
                if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(want)) {
                    assertThat(got).as("round %d, vector %d", round, v).isEqualTo(want);
                }
            }
        }
    }
}
