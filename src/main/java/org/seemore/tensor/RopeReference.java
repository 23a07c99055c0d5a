package org.seemore.tensor;

/**
 * The plain version of {@link Rope} it is tested against: HF's formula {@code x·cos + rotate_half(x)·sin}
 * written out per element, {@code rotate_half(x) = cat(-x[hd/2:], x[:hd/2])}, in double, with each
 * angle {@code float(position) · inv_freq[i]} (rounded to float, as HF's float32 product) and its
 * cosine and sine computed here rather than read from the table. The backward applies the
 * transposed rotation matrix as a matrix: {@code gx_j = sum_i R[i][j] · g_i}.
 */
final class RopeReference {
    private RopeReference() {}

    /** x (..., T, H*hd) -> x rotated per row, as {@link Rope#apply}. */
    static Tensor apply(Tensor x, int heads, RopeTable table, int[] positions) {
        float[] inv = table.inverseFrequencies();
        int hd = 2 * inv.length, half = inv.length, width = heads * hd, rows = x.size() / width;
        int[] perRow = Rope.perRow(positions, rows, x.dim(-2));
        float[] xd = x.data(), out = new float[x.size()];
        int xo = x.offset();
        for (int r = 0; r < rows; r++) {
            double[][] rotation = rotation(inv, perRow[r]);
            for (int h = 0; h < heads; h++) {
                int base = r * width + h * hd;
                for (int i = 0; i < hd; i++) {
                    double sum = 0;
                    for (int j = 0; j < hd; j++) sum += rotation[i][j] * xd[xo + base + j];
                    out[base + i] = (float) sum;
                }
            }
        }
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int r = 0; r < rows; r++) {
                double[][] rotation = rotation(inv, perRow[r]);
                for (int h = 0; h < heads; h++) {
                    int base = r * width + h * hd;
                    for (int j = 0; j < hd; j++) {
                        double sum = 0;
                        for (int i = 0; i < hd; i++) sum += rotation[i][j] * g[base + i];
                        gx[base + j] += (float) sum;
                    }
                }
            }
        }, x);
    }

    /**
     * The hd x hd matrix of {@code x -> x·cos + rotate_half(x)·sin} at one position: with
     * {@code c_i, s_i} the cosine and sine of frequency {@code i mod hd/2}, row i &lt; hd/2 is
     * {@code c_i e_i - s_i e_(i+hd/2)} and row i + hd/2 is {@code c_i e_(i+hd/2) + s_i e_i}.
     */
    private static double[][] rotation(float[] inv, int position) {
        int half = inv.length, hd = 2 * half;
        double[][] m = new double[hd][hd];
        for (int i = 0; i < half; i++) {
            float angle = (float) position * inv[i];
            double c = Math.cos(angle), s = Math.sin(angle);
            m[i][i] = c;
            m[i][i + half] = -s;
            m[i + half][i + half] = c;
            m[i + half][i] = s;
        }
        return m;
    }
}
