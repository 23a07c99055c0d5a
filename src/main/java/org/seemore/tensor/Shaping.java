package org.seemore.tensor;

import java.util.Arrays;
import org.seemore.tensor.kernels.VectorMath;

/**
 * Ops that move values without changing them: reshape, permute, transpose, concat, slice. Views pass
 * their gradient on without a copy; permute copies runs of its last axis without an index map
 * ({@link ShapingReference} keeps the map-based version it is tested against).
 */
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
        return Tensor.attach(out, o -> x.accumulateGrad(o.grad()), x); // same layout: the gradient is handed over
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
            float[] g = o.grad();
            if (start == 0 && length == x.dim(0)) x.accumulateGrad(g);
            else VectorMath.addInto(g, 0, x.gradBuffer(), start * row, length * row);
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
        float[] out = StepArena.uninitialized(outer * length * inner);
        float[] xd = x.data();
        int xo = x.offset();
        for (int o = 0; o < outer; o++) {
            System.arraycopy(xd, xo + (o * dim + start) * inner, out, o * length * inner, length * inner);
        }
        return Tensor.result(out, os, r -> {
            float[] g = r.grad(), gx = x.gradBuffer();
            for (int o = 0; o < outer; o++) VectorMath.addInto(g, o * length * inner, gx, (o * dim + start) * inner, length * inner);
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
        float[] out = StepArena.uninitialized(outer * total * inner);
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
                for (int o = 0; o < outer; o++) VectorMath.addInto(g, (o * total + starts[k]) * inner, gx, o * len * inner, len * inner);
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
        int[] os = new int[rank], inverse = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int p = Shapes.axis(perm[i], rank);
            if (seen[p]) throw new IllegalArgumentException("permutation " + Arrays.toString(perm) + " repeats axis " + p);
            seen[p] = true;
            os[i] = s[p];
            inverse[p] = i;
        }
        float[] out = StepArena.uninitialized(x.size());
        permuted(x.data(), x.offset(), s, perm, out);
        return Tensor.result(out, os, r -> {
            float[] gx = StepArena.uninitialized(x.size());
            permuted(r.grad(), 0, os, inverse, gx); // the gradient goes back through the inverse permutation
            x.accumulateGrad(gx);
        }, x);
    }

    /**
     * Writes {@code src} (shape s, from offset) permuted by {@code perm} into {@code dst}, row by row of
     * the last output axis: a contiguous run when that axis is the input's last, a strided gather
     * otherwise. No index map is built.
     */
    private static void permuted(float[] src, int offset, int[] s, int[] perm, float[] dst) {
        int rank = s.length, n = Shapes.numel(s);
        if (n == 0) return;
        if (rank == 0) {
            dst[0] = src[offset];
            return;
        }
        int[] inStrides = Shapes.strides(s), os = new int[rank], stride = new int[rank];
        for (int i = 0; i < rank; i++) {
            os[i] = s[perm[i]];
            stride[i] = inStrides[perm[i]];
        }
        int run = os[rank - 1], step = stride[rank - 1];
        int[] idx = new int[rank];
        int from = offset;
        for (int o = 0; o < n; o += run) {
            if (step == 1) {
                System.arraycopy(src, from, dst, o, run);
            } else {
                for (int j = 0, at = from; j < run; j++, at += step) dst[o + j] = src[at];
            }
            for (int d = rank - 2; d >= 0; d--) { // odometer over the outer output axes
                from += stride[d];
                if (++idx[d] < os[d]) break;
                from -= stride[d] * os[d];
                idx[d] = 0;
            }
        }
    }
}
