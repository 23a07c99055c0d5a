package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Broadcasts with no fused loop (an outer product, a broadcast on both sides) go through
 * {@link BroadcastFallback}; its values and both gradients are checked against sums written out
 * here, index by index, not against another broadcasting implementation. (The pair harness also
 * runs them against {@link ElementwiseReference}.)
 */
class BroadcastFallbackTest {
    private final Rng rng = new Rng(2024);

    private record Case(String name, BinaryOperator<Tensor> fast) {}

    private static final Case[] OPS = {
        new Case("add", Elementwise::add), new Case("sub", Elementwise::sub), new Case("mul", Elementwise::mul), new Case("div", Elementwise::div),
    };

    @Test
    void unusualBroadcastsMatchAComputationByHand() {
        for (Case c : OPS) {
            // a [3, 1] op b [1, 5] -> [3, 5]: out[i, j] = a[i] op b[j]
            ByHand outer = new ByHand(c.name(), 3, 5, 15);
            for (int i = 0; i < 3; i++) for (int j = 0; j < 5; j++) outer.element(i * 5 + j, i, j);
            outer.check(c.fast(), new int[] {3, 1}, new int[] {1, 5}, new int[] {3, 5});
            // a [2, 1, 17] op b [3, 1] -> [2, 3, 17]: out[p, q, s] = a[p, s] op b[q]
            ByHand both = new ByHand(c.name(), 2 * 17, 3, 2 * 3 * 17);
            for (int p = 0; p < 2; p++) for (int q = 0; q < 3; q++) for (int s = 0; s < 17; s++) both.element((p * 3 + q) * 17 + s, p * 17 + s, q);
            both.check(c.fast(), new int[] {2, 1, 17}, new int[] {3, 1}, new int[] {2, 3, 17});
        }
    }

    /** The expected values and gradients of {@code a op b}, element by element, for an upstream gradient r. */
    private final class ByHand {
        final String op;
        final float[] a, b, r;
        final double[] out, ga, gb;

        ByHand(String op, int aSize, int bSize, int outSize) {
            this.op = op;
            a = rng.uniform(aSize, -1f, 1f);
            b = rng.uniform(bSize, 0.5f, 1.5f); // away from zero, for div
            r = rng.uniform(outSize, -1f, 1f);
            out = new double[outSize];
            ga = new double[aSize];
            gb = new double[bSize];
        }

        /** Output element o reads a[i] and b[j]. */
        void element(int o, int i, int j) {
            double x = a[i], y = b[j];
            switch (op) {
                case "add" -> { out[o] = x + y; ga[i] += r[o]; gb[j] += r[o]; }
                case "sub" -> { out[o] = x - y; ga[i] += r[o]; gb[j] -= r[o]; }
                case "mul" -> { out[o] = x * y; ga[i] += r[o] * y; gb[j] += r[o] * x; }
                case "div" -> { out[o] = x / y; ga[i] += r[o] / y; gb[j] -= r[o] * x / (y * y); }
                default -> throw new IllegalArgumentException(op);
            }
        }

        void check(BinaryOperator<Tensor> fast, int[] as, int[] bs, int[] os) {
            Tensor ta = Tensor.of(a.clone(), as).requiresGrad(true), tb = Tensor.of(b.clone(), bs).requiresGrad(true);
            Tensor y = fast.apply(ta, tb);
            assertThat(y.shape()).containsExactly(os);
            Reductions.sumAll(Elementwise.mul(y, Tensor.of(r.clone(), os))).backward();
            String what = op + " " + Shapes.str(as) + " " + Shapes.str(bs);
            FastVsReference.assertClose(what + ": output", y.toArray(), floats(out), 1e-6);
            FastVsReference.assertClose(what + ": gradient of a", ta.grad(), floats(ga), 1e-5);
            FastVsReference.assertClose(what + ": gradient of b", tb.grad(), floats(gb), 1e-5);
        }
    }

    private static float[] floats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }
}
