package org.seemore.tensor;

import java.util.Arrays;

/**
 * The plain versions of {@link Shaping}'s copies that it is tested against: permute through a
 * flat index map built per call.
 */
final class ShapingReference {
    private ShapingReference() {}

    /** Reorders axes: output axis i is input axis {@code perm[i]} (a copy). */
    static Tensor permute(Tensor x, int... perm) {
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
