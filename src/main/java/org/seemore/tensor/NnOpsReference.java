package org.seemore.tensor;

/**
 * The plain versions of {@link NnOps} that it is tested against: scalar loops accumulating in
 * double, exp in double, dropout masks drawn one {@link Rng#nextFloat} at a time, patchify through
 * an index map.
 */
final class NnOpsReference {
    private NnOpsReference() {}

    static final int IGNORE_INDEX = NnOps.IGNORE_INDEX;

    /** LayerNorm over the last axis with biased variance (Ba et al. 2016): {@code (x-mean)/sqrt(var+eps)*w+b}. */
    static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        int c = x.dim(-1), rows = x.size() / c;
        float[] xd = x.data(), wd = weight.data(), bd = bias.data(), out = new float[x.size()];
        int xo = x.offset(), wo = weight.offset(), bo = bias.offset();
        float[] mean = new float[rows], rstd = new float[rows];
        for (int r = 0; r < rows; r++) {
            int base = xo + r * c;
            double s = 0;
            for (int i = 0; i < c; i++) s += xd[base + i];
            float m = (float) (s / c);
            double v = 0;
            for (int i = 0; i < c; i++) {
                float d = xd[base + i] - m;
                v += d * d;
            }
            float rs = (float) (1 / Math.sqrt(v / c + eps));
            mean[r] = m;
            rstd[r] = rs;
            for (int i = 0; i < c; i++) out[r * c + i] = (xd[base + i] - m) * rs * wd[wo + i] + bd[bo + i];
        }
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            float[] gx = x.requiresGrad() ? x.gradBuffer() : null;
            float[] gw = weight.requiresGrad() ? weight.gradBuffer() : null;
            float[] gb = bias.requiresGrad() ? bias.gradBuffer() : null;
            for (int r = 0; r < rows; r++) {
                int base = xo + r * c, gbase = r * c;
                float m = mean[r], rs = rstd[r];
                // dxhat = g*w; dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat*xhat))
                double sumD = 0, sumDX = 0;
                for (int i = 0; i < c; i++) {
                    float xhat = (xd[base + i] - m) * rs;
                    float dxhat = g[gbase + i] * wd[wo + i];
                    sumD += dxhat;
                    sumDX += dxhat * xhat;
                    if (gw != null) gw[i] += g[gbase + i] * xhat;
                    if (gb != null) gb[i] += g[gbase + i];
                }
                if (gx != null) {
                    float meanD = (float) (sumD / c), meanDX = (float) (sumDX / c);
                    for (int i = 0; i < c; i++) {
                        float xhat = (xd[base + i] - m) * rs;
                        float dxhat = g[gbase + i] * wd[wo + i];
                        gx[gbase + i] += rs * (dxhat - meanD - xhat * meanDX);
                    }
                }
            }
        }, x, weight, bias);
    }

    /** RMSNorm over the last axis: {@code weight * (x / sqrt(mean(x²) + eps))}, the weight itself (not 1 + weight). */
    static Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        int c = x.dim(-1), rows = x.size() / c;
        float[] xd = x.data(), wd = weight.data(), out = new float[x.size()];
        int xo = x.offset(), wo = weight.offset();
        double[] rstd = new double[rows];
        for (int r = 0; r < rows; r++) {
            int base = xo + r * c;
            double squares = 0;
            for (int i = 0; i < c; i++) squares += (double) xd[base + i] * xd[base + i];
            rstd[r] = 1 / Math.sqrt(squares / c + eps);
            for (int i = 0; i < c; i++) out[r * c + i] = (float) (xd[base + i] * rstd[r] * wd[wo + i]);
        }
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            float[] gx = x.requiresGrad() ? x.gradBuffer() : null;
            float[] gw = weight.requiresGrad() ? weight.gradBuffer() : null;
            for (int r = 0; r < rows; r++) {
                int base = xo + r * c, gbase = r * c;
                double rs = rstd[r];
                // y_i = w_i x_i rs, rs = (mean(x²) + eps)^(-1/2): dy/dx_i = w_i rs - x_i rs³/c sum_j g_j w_j x_j
                double sumGWX = 0;
                for (int i = 0; i < c; i++) sumGWX += (double) g[gbase + i] * wd[wo + i] * xd[base + i];
                for (int i = 0; i < c; i++) {
                    if (gw != null) gw[i] += (float) (g[gbase + i] * xd[base + i] * rs);
                    if (gx != null) gx[gbase + i] += (float) (g[gbase + i] * wd[wo + i] * rs - xd[base + i] * rs * rs * rs * sumGWX / c);
                }
            }
        }, x, weight);
    }

    /**
     * Softmax over the last axis. With {@code causal}, x is {@code [..., Tq, Tk]} and query i sees keys
     * {@code j <= i + Tk - Tq} (the others get probability 0), which also covers a KV-cached suffix.
     */
    static Tensor softmax(Tensor x, boolean causal) {
        int tk = x.dim(-1), rows = x.size() / tk;
        int tq = causal ? x.dim(-2) : 1;
        float[] xd = x.data(), out = new float[x.size()];
        int xo = x.offset();
        for (int r = 0; r < rows; r++) {
            int visible = causal ? Math.min(tk, (r % tq) + tk - tq + 1) : tk;
            int base = xo + r * tk, ob = r * tk;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < visible; j++) max = Math.max(max, xd[base + j]);
            double sum = 0;
            for (int j = 0; j < visible; j++) {
                float e = (float) Math.exp(xd[base + j] - max);
                out[ob + j] = e;
                sum += e;
            }
            float inv = (float) (1 / sum);
            for (int j = 0; j < visible; j++) out[ob + j] *= inv;
        }
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int r = 0; r < rows; r++) {
                int ob = r * tk;
                double dot = 0;
                for (int j = 0; j < tk; j++) dot += g[ob + j] * out[ob + j];
                float d = (float) dot;
                for (int j = 0; j < tk; j++) gx[ob + j] += out[ob + j] * (g[ob + j] - d);
            }
        }, x);
    }

    /**
     * Mean cross-entropy of {@code logits [R, V]} against {@code targets[R]}, skipping
     * {@link #IGNORE_INDEX}: the sum over counted rows divided by their number (fused log-softmax).
     */
    static Tensor crossEntropy(Tensor logits, int[] targets) {
        int v = logits.dim(-1), rows = logits.size() / v;
        if (targets.length != rows) throw new IllegalArgumentException(targets.length + " targets for " + rows + " rows of logits");
        float[] xd = logits.data();
        int xo = logits.offset();
        float[] logSumExp = new float[rows];
        double total = 0;
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t == IGNORE_INDEX) continue;
            if (t < 0 || t >= v) throw new IndexOutOfBoundsException("target " + t + " outside a vocabulary of " + v);
            int base = xo + r * v;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) max = Math.max(max, xd[base + j]);
            double sum = 0;
            for (int j = 0; j < v; j++) sum += Math.exp(xd[base + j] - max);
            logSumExp[r] = (float) (max + Math.log(sum));
            total += logSumExp[r] - xd[base + t];
            counted++;
        }
        int n = counted;
        float loss = n == 0 ? 0f : (float) (total / n);
        return Tensor.result(new float[] {loss}, new int[0], o -> {
            if (n == 0) return;
            float g = o.grad()[0] / n;
            float[] gx = logits.gradBuffer();
            for (int r = 0; r < rows; r++) {
                int t = targets[r];
                if (t == IGNORE_INDEX) continue;
                int base = xo + r * v, gb = r * v;
                float lse = logSumExp[r];
                for (int j = 0; j < v; j++) gx[gb + j] += g * (float) Math.exp(xd[base + j] - lse);
                gx[gb + t] -= g;
            }
        }, logits);
    }

    /** {@code log(sum(exp(x)))} over the last axis: x (..., E) -> (...). Its gradient is the softmax. */
    static Tensor logSumExp(Tensor x) {
        int e = x.dim(-1), rows = x.size() / e;
        float[] xd = x.data(), out = new float[rows];
        int xo = x.offset();
        for (int r = 0; r < rows; r++) {
            int base = xo + r * e;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < e; j++) max = Math.max(max, xd[base + j]);
            double sum = 0;
            for (int j = 0; j < e; j++) sum += Math.exp(xd[base + j] - max);
            out[r] = (float) (max + Math.log(sum));
        }
        int[] s = x.shape();
        return Tensor.result(out, java.util.Arrays.copyOf(s, s.length - 1), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int r = 0; r < rows; r++) {
                int base = xo + r * e;
                for (int j = 0; j < e; j++) gx[r * e + j] += g[r] * (float) Math.exp(xd[base + j] - out[r]);
            }
        }, x);
    }

    /** Inverted dropout: zeroes each value with probability p and scales the rest by 1/(1-p). */
    static Tensor dropout(Tensor x, float p, Rng rng) {
        if (p <= 0f) return x;
        if (p >= 1f) throw new IllegalArgumentException("dropout rate must be below 1: " + p);
        int n = x.size();
        float keep = 1f / (1f - p);
        float[] mask = new float[n], xd = x.data(), out = new float[n];
        int xo = x.offset();
        for (int i = 0; i < n; i++) {
            mask[i] = rng.nextFloat() < p ? 0f : keep;
            out[i] = xd[xo + i] * mask[i];
        }
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int i = 0; i < n; i++) gx[i] += g[i] * mask[i];
        }, x);
    }

    /**
     * The input of a convolution whose kernel equals its stride, unfolded: images {@code [B, C, S, S]}
     * become {@code [B, N, C*p*p]} with patches row-major over the (S/p)x(S/p) grid and each patch
     * flattened in (channel, row, col) order, so the conv is a Linear with weight {@code [D, C*p*p]}.
     */
    static Tensor patchify(Tensor images, int patch) {
        int[] s = images.shape();
        if (s.length != 4 || s[2] != s[3] || s[2] % patch != 0) {
            throw new IllegalArgumentException("patchify needs square [B,C,S,S] images with S divisible by " + patch + ", got " + Shapes.str(s));
        }
        int b = s[0], c = s[1], size = s[2], grid = size / patch, n = grid * grid, width = c * patch * patch;
        int[] map = new int[b * n * width]; // output index -> input index
        for (int bi = 0; bi < b; bi++) {
            for (int gy = 0; gy < grid; gy++) {
                for (int gx = 0; gx < grid; gx++) {
                    int o = (bi * n + gy * grid + gx) * width;
                    for (int ch = 0; ch < c; ch++) {
                        for (int py = 0; py < patch; py++) {
                            int src = ((bi * c + ch) * size + gy * patch + py) * size + gx * patch;
                            for (int px = 0; px < patch; px++) map[o++] = src + px;
                        }
                    }
                }
            }
        }
        float[] xd = images.data(), out = new float[map.length];
        int xo = images.offset();
        for (int i = 0; i < map.length; i++) out[i] = xd[xo + map[i]];
        return Tensor.result(out, new int[] {b, n, width}, o -> {
            float[] g = o.grad(), gx = images.gradBuffer();
            for (int i = 0; i < map.length; i++) gx[map[i]] += g[i];
        }, images);
    }
}
