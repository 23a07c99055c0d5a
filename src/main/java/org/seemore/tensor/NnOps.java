package org.seemore.tensor;

import org.seemore.tensor.kernels.DropoutKernel;
import org.seemore.tensor.kernels.LayerNormKernel;
import org.seemore.tensor.kernels.Parallel;
import org.seemore.tensor.kernels.RmsNormKernel;
import org.seemore.tensor.kernels.SoftmaxKernel;

/**
 * The fused neural-network ops: LayerNorm, RMSNorm, softmax (optionally causal), log-softmax +
 * cross-entropy, dropout, and patch extraction for a convolution whose kernel equals its stride.
 * Each computes its forward in one pass and keeps what its backward needs.
 *
 * <p>The loops are vector kernels ({@link LayerNormKernel}, {@link RmsNormKernel}, {@link SoftmaxKernel},
 * {@link DropoutKernel}) that split rows over the thread pool; {@link NnOpsReference} holds the
 * plain versions they are tested against.
 */
public final class NnOps {
    private NnOps() {}

    /** PyTorch's ignore_index convention for targets that do not count. */
    public static final int IGNORE_INDEX = -100;

    /** LayerNorm over the last axis with biased variance (Ba et al. 2016): {@code (x-mean)/sqrt(var+eps)*w+b}. */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        int c = x.dim(-1), rows = c == 0 ? 0 : x.size() / c;
        float[] xd = x.data(), wd = weight.data(), out = StepArena.uninitialized(x.size());
        int xo = x.offset(), wo = weight.offset();
        float[] mean = new float[rows], rstd = new float[rows];
        LayerNormKernel.forward(xd, xo, wd, wo, bias.data(), bias.offset(), out, mean, rstd, rows, c, eps);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            float[] gw = weight.requiresGrad() ? weight.gradBuffer() : null;
            float[] gb = bias.requiresGrad() ? bias.gradBuffer() : null;
            // dxhat = g*w; dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat*xhat)), written over g
            boolean wantX = x.requiresGrad();
            LayerNormKernel.backward(g, xd, xo, wd, wo, mean, rstd, wantX ? g : null, gw, gb, rows, c);
            if (wantX) x.accumulateGrad(g);
        }, x, weight, bias);
    }

    /**
     * RMSNorm over the last axis (Zhang &amp; Sennrich 2019), as Llama, Qwen2 and Mixtral define it:
     * {@code weight * (x / sqrt(mean(x²) + eps))}, the weight itself (not 1 + weight).
     */
    public static Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        int c = x.dim(-1), rows = c == 0 ? 0 : x.size() / c;
        if (weight.size() != c) throw new IllegalArgumentException("RMSNorm of rows of " + c + " with a weight of " + Shapes.str(weight.shape()));
        float[] xd = x.data(), wd = weight.data(), out = StepArena.uninitialized(x.size());
        int xo = x.offset(), wo = weight.offset();
        float[] rstd = new float[rows];
        RmsNormKernel.forward(xd, xo, wd, wo, out, rstd, rows, c, eps);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            float[] gw = weight.requiresGrad() ? weight.gradBuffer() : null;
            // dxhat = g*w; dx = rstd * (dxhat - xhat * mean(dxhat*xhat)), written over g
            boolean wantX = x.requiresGrad();
            RmsNormKernel.backward(g, xd, xo, wd, wo, rstd, wantX ? g : null, gw, rows, c);
            if (wantX) x.accumulateGrad(g);
        }, x, weight);
    }

    /**
     * Softmax over the last axis. With {@code causal}, x is {@code [..., Tq, Tk]} and query i sees keys
     * {@code j <= i + Tk - Tq} (the others get probability 0), which also covers a KV-cached suffix.
     */
    public static Tensor softmax(Tensor x, boolean causal) {
        int tk = x.dim(-1), rows = tk == 0 ? 0 : x.size() / tk;
        int tq = causal ? x.dim(-2) : 1;
        float[] out = StepArena.uninitialized(x.size());
        SoftmaxKernel.forward(x.data(), x.offset(), out, rows, tk, tq, causal, 1f);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            SoftmaxKernel.backward(g, out, g, rows, tk, 1f); // gx = y * (g - sum(g*y)), in place
            x.accumulateGrad(g);
        }, x);
    }

    /**
     * Mean cross-entropy of {@code logits [R, V]} against {@code targets[R]}, skipping
     * {@link #IGNORE_INDEX}: the sum over counted rows divided by their number (fused log-softmax).
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        int v = logits.dim(-1), rows = logits.size() / v;
        if (targets.length != rows) throw new IllegalArgumentException(targets.length + " targets for " + rows + " rows of logits");
        float[] xd = logits.data();
        int xo = logits.offset();
        for (int t : targets) {
            if (t != IGNORE_INDEX && (t < 0 || t >= v)) throw new IndexOutOfBoundsException("target " + t + " outside a vocabulary of " + v);
        }
        float[] logSumExp = new float[rows];
        Parallel.parallelRange(rows, Math.max(1, (1 << 14) / v), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                if (targets[r] != IGNORE_INDEX) logSumExp[r] = SoftmaxKernel.logSumExp(xd, xo + r * v, v);
            }
        });
        double total = 0;
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] == IGNORE_INDEX) continue;
            total += logSumExp[r] - xd[xo + r * v + targets[r]];
            counted++;
        }
        int n = counted;
        float loss = n == 0 ? 0f : (float) (total / n);
        return Tensor.result(new float[] {loss}, new int[0], o -> {
            if (n == 0) return;
            float g = o.grad()[0] / n;
            float[] gx = logits.gradBuffer();
            Parallel.parallelRange(rows, Math.max(1, (1 << 14) / v), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int t = targets[r];
                    if (t == IGNORE_INDEX) continue;
                    SoftmaxKernel.addExp(xd, xo + r * v, logSumExp[r], g, gx, r * v, v); // g * softmax
                    gx[r * v + t] -= g;
                }
            });
        }, logits);
    }

    /** {@code log(sum(exp(x)))} over the last axis: x (..., E) -> (...). Its gradient is the softmax. */
    public static Tensor logSumExp(Tensor x) {
        int e = x.dim(-1), rows = x.size() / e;
        float[] xd = x.data(), out = new float[rows];
        int xo = x.offset();
        for (int r = 0; r < rows; r++) out[r] = SoftmaxKernel.logSumExp(xd, xo + r * e, e);
        int[] s = x.shape();
        return Tensor.result(out, java.util.Arrays.copyOf(s, s.length - 1), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int r = 0; r < rows; r++) SoftmaxKernel.addExp(xd, xo + r * e, out[r], g[r], gx, r * e, e);
        }, x);
    }

    /**
     * Inverted dropout: zeroes each value with probability p and scales the rest by 1/(1-p). The mask
     * is the one {@code p} compared with {@code rng.nextFloat()} per value would give, and the generator
     * advances just as far; it is drawn again in backward rather than stored.
     */
    public static Tensor dropout(Tensor x, float p, Rng rng) {
        if (p <= 0f) return x;
        if (p >= 1f) throw new IllegalArgumentException("dropout rate must be below 1: " + p);
        int n = x.size();
        float keep = 1f / (1f - p);
        long[] state = rng.state();
        long start = state[0];
        state[0] = start + n * DropoutKernel.GOLDEN_GAMMA; // n draws later
        rng.restore(state);
        float[] out = StepArena.uninitialized(n);
        DropoutKernel.apply(x.data(), x.offset(), out, n, start, p, keep);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            DropoutKernel.apply(g, 0, g, n, start, p, keep);
            x.accumulateGrad(g);
        }, x);
    }

    /**
     * The input of a convolution whose kernel equals its stride, unfolded: images {@code [B, C, S, S]}
     * become {@code [B, N, C*p*p]} with patches row-major over the (S/p)x(S/p) grid and each patch
     * flattened in (channel, row, col) order, so the conv is a Linear with weight {@code [D, C*p*p]}.
     */
    public static Tensor patchify(Tensor images, int patch) {
        int[] s = images.shape();
        if (s.length != 4 || s[2] != s[3] || s[2] % patch != 0) {
            throw new IllegalArgumentException("patchify needs square [B,C,S,S] images with S divisible by " + patch + ", got " + Shapes.str(s));
        }
        int b = s[0], c = s[1], size = s[2], grid = size / patch, n = grid * grid, width = c * patch * patch;
        float[] xd = images.data(), out = StepArena.uninitialized(b * n * width);
        int xo = images.offset();
        patchRows(b, c, size, patch, (src, dst) -> System.arraycopy(xd, xo + src, out, dst, patch));
        return Tensor.result(out, new int[] {b, n, width}, o -> {
            float[] g = o.grad(), gx = images.gradBuffer();
            patchRows(b, c, size, patch, (src, dst) -> {
                for (int i = 0; i < patch; i++) gx[src + i] += g[dst + i];
            });
        }, images);
    }

    /** Where each run of {@code patch} pixels goes: image offset to output offset. */
    private interface PatchRow {
        void copy(int imageOffset, int outputOffset);
    }

    private static void patchRows(int b, int c, int size, int patch, PatchRow row) {
        int grid = size / patch;
        int o = 0;
        for (int bi = 0; bi < b; bi++) {
            for (int gy = 0; gy < grid; gy++) {
                for (int gx = 0; gx < grid; gx++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int py = 0; py < patch; py++, o += patch) {
                            row.copy(((bi * c + ch) * size + gy * patch + py) * size + gx * patch, o);
                        }
                    }
                }
            }
        }
    }
}
