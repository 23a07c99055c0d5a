package org.seemore.tensor;

import org.seemore.tensor.kernels.Parallel;
import org.seemore.tensor.kernels.VectorMath;

/**
 * Ops that pick or scatter by integer index: index-select, gather, index-add, embedding.
 * {@link IndexingReference} holds the plain versions they are tested against.
 */
public final class Indexing {
    private Indexing() {}

    /** Rows {@code index[i]} of x's leading dimension: {@code [index.length, ...]} (torch.index_select, dim 0). */
    public static Tensor indexSelect(Tensor x, int[] index) {
        int[] s = x.shape();
        int row = Shapes.inner(s, 0), rows = s[0];
        int[] os = s.clone();
        os[0] = index.length;
        float[] xd = x.data(), out = StepArena.uninitialized(index.length * row);
        int xo = x.offset();
        for (int i = 0; i < index.length; i++) {
            int r = index[i];
            if (r < 0 || r >= rows) throw new IndexOutOfBoundsException("index " + r + " out of range for " + rows + " rows");
            System.arraycopy(xd, xo + r * row, out, i * row, row);
        }
        return Tensor.result(out, os, o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int i = 0; i < index.length; i++) VectorMath.addInto(g, i * row, gx, index[i] * row, row);
        }, x);
    }

    /**
     * {@code base} with {@code src[i]} added to row {@code index[i]} (torch.index_add, dim 0); rows may
     * repeat. Differentiable in both base and src.
     */
    public static Tensor indexAdd(Tensor base, int[] index, Tensor src) {
        int[] s = base.shape();
        int row = Shapes.inner(s, 0);
        if (src.size() != index.length * row) {
            throw new IllegalArgumentException("index_add of " + Shapes.str(src.shape()) + " into " + Shapes.str(s) + " with " + index.length + " indices");
        }
        checkRows(index, s[0]);
        float[] out = StepArena.uninitialized(base.size());
        System.arraycopy(base.data(), base.offset(), out, 0, base.size());
        float[] sd = src.data();
        int so = src.offset();
        for (int i = 0; i < index.length; i++) VectorMath.addInto(sd, so + i * row, out, index[i] * row, row);
        return Tensor.result(out, s, o -> {
            float[] g = o.grad();
            if (src.requiresGrad()) {
                float[] gs = src.gradBuffer();
                for (int i = 0; i < index.length; i++) VectorMath.addInto(g, index[i] * row, gs, i * row, row);
            }
            if (base.requiresGrad()) base.accumulateGrad(g); // last: g is handed over
        }, base, src);
    }

    private static void checkRows(int[] index, int rows) {
        for (int r : index) if (r < 0 || r >= rows) throw new IndexOutOfBoundsException("index " + r + " out of range for " + rows + " rows");
    }

    /** Embedding lookup: {@code weight[ids]} with the ids' shape plus the embedding width. */
    public static Tensor embedding(Tensor weight, int[] ids, int... idShape) {
        int width = weight.dim(1);
        int[] os = java.util.Arrays.copyOf(idShape, idShape.length + 1);
        os[idShape.length] = width;
        if (Shapes.numel(idShape) != ids.length) throw new IllegalArgumentException("ids do not fill shape " + Shapes.str(idShape));
        return Shaping.reshape(indexSelect(weight, ids), os);
    }

    /**
     * Along the last axis, {@code out[r, j] = x[r, index[r*k + j]]}: x {@code [..., E]}, out {@code [..., k]}
     * (torch.gather on the last dim).
     */
    public static Tensor gather(Tensor x, int[] index, int k) {
        int[] s = x.shape();
        int width = s[s.length - 1], rows = x.size() / width;
        if (index.length != rows * k) throw new IllegalArgumentException("gather needs " + rows * k + " indices, got " + index.length);
        int[] os = s.clone();
        os[os.length - 1] = k;
        float[] xd = x.data(), out = StepArena.uninitialized(rows * k);
        int xo = x.offset();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) out[r * k + j] = xd[xo + r * width + index[r * k + j]];
        }
        return Tensor.result(out, os, o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < k; j++) gx[r * width + index[r * k + j]] += g[r * k + j];
            }
        }, x);
    }
}
