package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.seemore.tensor.FastVsReference.compare;
import static org.seemore.tensor.FastVsReference.random;

import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

/** The vectorized elementwise ops against {@link ElementwiseReference} on odd and large sizes. */
class ElementwiseFastTest {
    private final Rng rng = new Rng(2024);
    private static final int[] SIZES = {1, 3, 17, 33, 65, 127};

    private record Case(String name, BinaryOperator<Tensor> fast, BinaryOperator<Tensor> reference) {}

    private static final Case[] OPS = {
        new Case("add", Elementwise::add, ElementwiseReference::add),
        new Case("sub", Elementwise::sub, ElementwiseReference::sub),
        new Case("mul", Elementwise::mul, ElementwiseReference::mul),
        new Case("div", Elementwise::div, ElementwiseReference::div),
    };

    private void binary(int[] as, int[] bs) {
        for (Case c : OPS) {
            Tensor a = random(rng, 1f, as), b = random(rng, 1f, bs);
            if (c.name().equals("div")) b = awayFromZero(b);
            compare(c.name() + " " + Shapes.str(as) + " " + Shapes.str(bs),
                    in -> c.fast().apply(in.get(0), in.get(1)), in -> c.reference().apply(in.get(0), in.get(1)), a, b);
        }
    }

    @Test
    void sameShape() {
        for (int n : SIZES) binary(new int[] {3, n}, new int[] {3, n});
        binary(new int[] {65, 1027}, new int[] {65, 1027}); // parallel
        binary(new int[0], new int[0]);
    }

    @Test
    void rowBroadcastLikeABiasOrPositions() {
        for (int n : SIZES) {
            binary(new int[] {5, n}, new int[] {n});
            binary(new int[] {n}, new int[] {5, n});
            binary(new int[] {2, 3, n}, new int[] {1, 3, n});
            binary(new int[] {2, 3, n}, new int[] {3, n});
        }
        binary(new int[] {16, 37, 65}, new int[] {1, 37, 65});
    }

    @Test
    void columnAndScalarBroadcast() {
        for (int n : SIZES) {
            binary(new int[] {7, n}, new int[] {7, 1});
            binary(new int[] {7, 1}, new int[] {7, n});
            binary(new int[] {4, n}, new int[0]);
            binary(new int[] {1}, new int[] {4, n});
        }
        binary(new int[] {513, 129}, new int[] {513, 1});
    }

    /**
     * Broadcasts with no fused loop (an outer product, a broadcast on both sides) go through the
     * fallback; its values and both gradients are checked against sums written out here, index by
     * index, not against another broadcasting implementation.
     */
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

    @Test
    void theSameTensorOnBothSides() {
        for (Case c : OPS) {
            Tensor a = awayFromZero(random(rng, 1f, 5, 33));
            compare(c.name() + " x,x", in -> c.fast().apply(in.get(0), in.get(0)), in -> c.reference().apply(in.get(0), in.get(0)), a);
        }
    }

    @Test
    void unaryOps() {
        for (int n : new int[] {1, 3, 17, 33, 65, 127, 70_001}) {
            compare("scale " + n, in -> Elementwise.scale(in.get(0), -1.7f), in -> ElementwiseReference.scale(in.get(0), -1.7f), random(rng, 1f, n));
            compare("relu " + n, in -> Elementwise.relu(in.get(0)), in -> ElementwiseReference.relu(in.get(0)), random(rng, 1f, n));
            compare("gelu " + n, in -> Elementwise.gelu(in.get(0)), in -> ElementwiseReference.gelu(in.get(0)), random(rng, 6f, n));
        }
    }

    @Test
    void opsOnViewsWithAnOffset() {
        Tensor base = random(rng, 2f, 5, 33);
        compare("gelu of a row slice", in -> Elementwise.gelu(Shaping.sliceRows(in.get(0), 2, 3)),
                in -> ElementwiseReference.gelu(Shaping.sliceRows(in.get(0), 2, 3)), base);
        compare("add of row slices", in -> Elementwise.add(Shaping.sliceRows(in.get(0), 1, 2), Shaping.sliceRows(in.get(0), 3, 1)),
                in -> ElementwiseReference.add(Shaping.sliceRows(in.get(0), 1, 2), Shaping.sliceRows(in.get(0), 3, 1)), base);
    }

    private static Tensor awayFromZero(Tensor t) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) if (Math.abs(d[i]) < 0.2f) d[i] = d[i] < 0 ? -0.5f : 0.5f;
        return t;
    }
}
