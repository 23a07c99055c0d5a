package org.seemore.tensor;

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

    @Test
    void otherBroadcastsFallBackToTheReference() {
        binary(new int[] {3, 1}, new int[] {1, 5});
        binary(new int[] {2, 1, 17}, new int[] {3, 1});
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
