package org.seemore.tensor;

import java.util.Arrays;

/** Ops that move values without changing them: reshape, permute, transpose, concat, slice. */
public final class Shaping {
    private Shaping() {}

    /** Same values, another shape (a view of the storage); one dimension may be -1. */
    public static Tensor reshape(Tensor x, int... shape) {
        int[] s = shape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one -1 in reshape " + Arrays.toString(shape));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0) s[infer] = known == 0 ? 0 : x.size() / known;
        if (Shapes.numel(s) != x.size()) {
            throw new IllegalArgumentException("cannot reshape " + Shapes.str(x.shape()) + " to " + Arrays.toString(shape));
        }
        Tensor out = x.view(x.offset(), s);
        return Tensor.attach(out, o -> accumulate(x, o.grad(), 0), x);
    }

    private static void accumulate(Tensor x, float[] g, int from) {
        float[] gx = x.gradBuffer();
        for (int i = 0; i < gx.length; i++) gx[i] += g[from + i];
    }

    /**
     * Rows {@code [start, start+length)} of the leading dimension: a view of the storage.
     */
    public static Tensor sliceRows(Tensor x, int start, int length) {
        int[] s = x.shape();
        if (start < 0 || length < 0 || start + length > s[0]) {
            throw new IllegalArgumentException("rows [" + start + ", " + (start + length) + ") of " + Shapes.str(s));
        }
        int row = x.size() / Math.max(s[0], 1);
        s[0] = length;
        Tensor out = x.view(x.offset() + start * row, s);
        return Tensor.attach(out, o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            int base = start * row;
            for (int i = 0; i < g.length; i++) gx[base + i] += g[i];
        }, x);
    }

    /** Index {@code i} of the leading dimension, which is dropped: a view. */
    public static Tensor select(Tensor x, int i) {
        int[] s = x.shape();
        return reshape(sliceRows(x, i, 1), Arrays.copyOfRange(s, 1, s.length));
    }

    /** {@code x[..., start:start+length, ...]} along {@code axis} (a copy). */
    public static Tensor slice(Tensor x, int axis, int start, int length) {
        int[] s = x.shape();
        int ax = Shapes.axis(axis, s.length);
        if (start < 0 || length < 0 || start + length > s[ax]) {
            throw new IllegalArgumentException("slice [" + start + ", " + (start + length) + ") of axis " + ax + " in " + Shapes.str(s));
        }
        int outer = Shapes.outer(s, ax), inner = Shapes.inner(s, ax), dim = s[ax];
        int[] os = s.clone();
        os[ax] = length;
        float[] out = new float[outer * length * inner];
        float[] xd = x.data();
        int xo = x.offset();
        for (int o = 0; o < outer; o++) {
            System.arraycopy(xd, xo + (o * dim + start) * inner, out, o * length * inner, length * inner);
        }
        return Tensor.result(out, os, r -> {
            float[] g = r.grad(), gx = x.gradBuffer();
            for (int o = 0; o < outer; o++) {
                int src = o * length * inner, dst = (o * dim + start) * inner;
                for (int i = 0; i < length * inner; i++) gx[dst + i] += g[src + i];
            }
        }, x);
    }

    /** Concatenation along {@code axis}. */
    public static Tensor concat(int axis, Tensor... xs) {
        int[] s0 = xs[0].shape();
        int ax = Shapes.axis(axis, s0.length);
        int sum = 0;
        for (Tensor t : xs) {
            int[] s = t.shape();
            for (int d = 0; d < s0.length; d++) {
                if (d != ax && s[d] != s0[d]) throw new IllegalArgumentException("concat of " + Shapes.str(s0) + " and " + Shapes.str(s));
            }
            sum += s[ax];
        }
        int total = sum;
        int outer = Shapes.outer(s0, ax), inner = Shapes.inner(s0, ax);
        int[] os = s0.clone();
        os[ax] = total;
        float[] out = new float[outer * total * inner];
        int[] starts = new int[xs.length];
        int at = 0;
        for (int k = 0; k < xs.length; k++) {
            starts[k] = at;
            int len = xs[k].dim(ax);
            float[] xd = xs[k].data();
            int xo = xs[k].offset();
            for (int o = 0; o < outer; o++) {
                System.arraycopy(xd, xo + o * len * inner, out, (o * total + at) * inner, len * inner);
            }
            at += len;
        }
        return Tensor.result(out, os, r -> {
            float[] g = r.grad();
            for (int k = 0; k < xs.length; k++) {
                if (!xs[k].requiresGrad()) continue;
                float[] gx = xs[k].gradBuffer();
                int len = xs[k].dim(ax);
                for (int o = 0; o < outer; o++) {
                    int src = (o * total + starts[k]) * inner, dst = o * len * inner;
                    for (int i = 0; i < len * inner; i++) gx[dst + i] += g[src + i];
                }
            }
        }, xs);
    }

    /** Swaps two axes (a copy). */
    public static Tensor transpose(Tensor x, int axis0, int axis1) {
        int rank = x.rank();
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) perm[i] = i;
        int a = Shapes.axis(axis0, rank), b = Shapes.axis(axis1, rank);
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    /** Reorders axes: output axis i is input axis {@code perm[i]} (a copy). */
    public static Tensor permute(Tensor x, int... perm) {
        int[] s = x.shape();
        int rank = s.length;
        if (perm.length != rank) throw new IllegalArgumentException("permutation " + Arrays.toString(perm) + " for rank " + rank);
        int[] os = new int[rank];
        int[] inStrides = Shapes.strides(s);
        int[] srcStride = new int[rank];
        for (int i = 0; i < rank; i++) {
            os[i] = s[perm[i]];
            srcStride[i] = inStrides[perm[i]];
        }
        int n = x.size();
        int[] map = new int[n];
        int[] idx = new int[rank];
        int src = 0;
        for (int i = 0; i < n; i++) {
            map[i] = src;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                src += srcStride[d];
                if (idx[d] < os[d]) break;
                src -= srcStride[d] * os[d];
                idx[d] = 0;
            }
        }
        float[] xd = x.data(), out = new float[n];
        int xo = x.offset();
        for (int i = 0; i < n; i++) out[i] = xd[xo + map[i]];
        return Tensor.result(out, os, r -> {
            float[] g = r.grad(), gx = x.gradBuffer();
            for (int i = 0; i < n; i++) gx[map[i]] += g[i];
        }, x);
    }
}
