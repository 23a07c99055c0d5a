package org.seemore.tensor;

/** Sums and means, over one axis or everything. */
public final class Reductions {
    private Reductions() {}

    /** Sum over {@code axis}, which is removed (or kept with size 1). */
    public static Tensor sum(Tensor x, int axis, boolean keepDim) {
        int[] s = x.shape();
        int ax = Shapes.axis(axis, s.length);
        int outer = Shapes.outer(s, ax), inner = Shapes.inner(s, ax), dim = s[ax];
        float[] xd = x.data(), out = StepArena.zeroed(outer * inner);
        int xo = x.offset();
        for (int o = 0; o < outer; o++) {
            for (int d = 0; d < dim; d++) {
                int base = xo + (o * dim + d) * inner;
                for (int i = 0; i < inner; i++) out[o * inner + i] += xd[base + i];
            }
        }
        return Tensor.result(out, reducedShape(s, ax, keepDim), r -> {
            float[] g = r.grad(), gx = x.gradBuffer();
            for (int o = 0; o < outer; o++) {
                for (int d = 0; d < dim; d++) {
                    int base = (o * dim + d) * inner;
                    for (int i = 0; i < inner; i++) gx[base + i] += g[o * inner + i];
                }
            }
        }, x);
    }

    public static Tensor mean(Tensor x, int axis, boolean keepDim) {
        return Elementwise.scale(sum(x, axis, keepDim), 1f / x.dim(axis));
    }

    /** Sum of every value, as a scalar (accumulated in double). */
    public static Tensor sumAll(Tensor x) {
        double acc = 0;
        float[] xd = x.data();
        int xo = x.offset(), n = x.size();
        for (int i = 0; i < n; i++) acc += xd[xo + i];
        return Tensor.result(new float[] {(float) acc}, new int[0], r -> {
            float g = r.grad()[0];
            float[] gx = x.gradBuffer();
            for (int i = 0; i < n; i++) gx[i] += g;
        }, x);
    }

    public static Tensor meanAll(Tensor x) {
        return Elementwise.scale(sumAll(x), 1f / x.size());
    }

    private static int[] reducedShape(int[] s, int ax, boolean keepDim) {
        if (keepDim) {
            int[] os = s.clone();
            os[ax] = 1;
            return os;
        }
        int[] os = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != ax) os[j++] = s[i];
        return os;
    }
}
