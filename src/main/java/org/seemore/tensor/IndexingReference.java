package org.seemore.tensor;

/** The plain versions of {@link Indexing}'s row moves that it is tested against. */
final class IndexingReference {
    private IndexingReference() {}

    /** Rows {@code index[i]} of x's leading dimension: {@code [index.length, ...]} (torch.index_select, dim 0). */
    static Tensor indexSelect(Tensor x, int[] index) {
        int[] s = x.shape();
        int row = Shapes.inner(s, 0), rows = s[0];
        int[] os = s.clone();
        os[0] = index.length;
        float[] xd = x.data(), out = new float[index.length * row];
        int xo = x.offset();
        for (int i = 0; i < index.length; i++) {
            int r = index[i];
            if (r < 0 || r >= rows) throw new IndexOutOfBoundsException("index " + r + " out of range for " + rows + " rows");
            System.arraycopy(xd, xo + r * row, out, i * row, row);
        }
        return Tensor.result(out, os, o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int i = 0; i < index.length; i++) {
                int dst = index[i] * row, src = i * row;
                for (int j = 0; j < row; j++) gx[dst + j] += g[src + j];
            }
        }, x);
    }

    /**
     * {@code base} with {@code src[i]} added to row {@code index[i]} (torch.index_add, dim 0); rows may
     * repeat. Differentiable in both base and src.
     */
    static Tensor indexAdd(Tensor base, int[] index, Tensor src) {
        int[] s = base.shape();
        int row = Shapes.inner(s, 0);
        if (src.size() != index.length * row) {
            throw new IllegalArgumentException("index_add of " + Shapes.str(src.shape()) + " into " + Shapes.str(s) + " with " + index.length + " indices");
        }
        float[] out = base.toArray();
        float[] sd = src.data();
        int so = src.offset();
        for (int i = 0; i < index.length; i++) {
            int dst = index[i] * row, from = so + i * row;
            for (int j = 0; j < row; j++) out[dst + j] += sd[from + j];
        }
        return Tensor.result(out, s, o -> {
            float[] g = o.grad();
            if (base.requiresGrad()) {
                float[] gb = base.gradBuffer();
                for (int i = 0; i < g.length; i++) gb[i] += g[i];
            }
            if (src.requiresGrad()) {
                float[] gs = src.gradBuffer();
                for (int i = 0; i < index.length; i++) {
                    int from = index[i] * row;
                    for (int j = 0; j < row; j++) gs[i * row + j] += g[from + j];
                }
            }
        }, base, src);
    }
}
