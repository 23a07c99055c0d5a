package org.seemore.tensor;

/**
 * The plain version of {@link Rope} it is tested against: Hugging Face's formula as written,
 * {@code x·cos + rotate_half(x)·sin} per head, with {@code cos} and {@code sin} of
 * {@code cat(freqs, freqs)} (full head width) and {@code rotate_half(x) = cat(-x[hd/2:], x[:hd/2])},
 * in double; each angle {@code float(position) · inv_freq[i]} is rounded to float (HF's float32
 * product) and its cosine and sine computed here, not read from the table. The backward applies the
 * transposed map: {@code gx = g·cos + rotate_half_transposed(g·sin)}, {@code rotate_half_transposed(u)
 * = cat(u[hd/2:], -u[:hd/2])}.
 */
final class RopeReference {
    private RopeReference() {}

    /** x (..., T, H*hd) -> x rotated per row, as {@link Rope#apply}. */
    static Tensor apply(Tensor x, int heads, RopeTable table, int[] positions) {
        float[] inv = table.inverseFrequencies();
        int half = inv.length, hd = 2 * half, width = heads * hd, rows = x.size() / width;
        int[] perRow = Rope.perRow(positions, rows, x.dim(-2));
        float[] xd = x.data(), out = new float[x.size()];
        int xo = x.offset();
        for (int r = 0; r < rows; r++) {
            double[] cos = new double[hd], sin = new double[hd];
            angles(inv, perRow[r], cos, sin);
            for (int h = 0; h < heads; h++) {
                int base = r * width + h * hd;
                for (int i = 0; i < hd; i++) {
                    double rotated = i < half ? -xd[xo + base + i + half] : xd[xo + base + i - half]; // rotate_half(x)[i]
                    out[base + i] = (float) (xd[xo + base + i] * cos[i] + rotated * sin[i]);
                }
            }
        }
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int r = 0; r < rows; r++) {
                double[] cos = new double[hd], sin = new double[hd];
                angles(inv, perRow[r], cos, sin);
                for (int h = 0; h < heads; h++) {
                    int base = r * width + h * hd;
                    for (int i = 0; i < hd; i++) {
                        // y_j = x_j cos_j + rotate_half(x)_j sin_j, and rotate_half(x)_j = -x_(j+half) (j < half) or x_(j-half)
                        double back = i < half ? g[base + i + half] * sin[i + half] : -g[base + i - half] * sin[i - half];
                        gx[base + i] += (float) (g[base + i] * cos[i] + back);
                    }
                }
            }
        }, x);
    }

    /** cos and sin of {@code cat(freqs, freqs)} at one position, {@code freqs[i] = float(position) · inv_freq[i]} rounded to float. */
    private static void angles(float[] inv, int position, double[] cos, double[] sin) {
        int half = inv.length;
        for (int i = 0; i < 2 * half; i++) {
            float angle = (float) position * inv[i % half];
            cos[i] = Math.cos(angle);
            sin[i] = Math.sin(angle);
        }
    }
}
