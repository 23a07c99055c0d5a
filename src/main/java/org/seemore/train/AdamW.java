package org.seemore.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.AdamWKernel;
import org.seemore.tensor.kernels.Parallel;

/**
 * AdamW (Loshchilov &amp; Hutter 2019) as PyTorch implements it: decoupled weight decay
 * {@code p -= lr * wd * p} before the Adam step, bias-corrected moments, eps added to the
 * corrected second moment's square root. Decay applies to parameters with two or more dimensions.
 * One fused pass per parameter ({@link AdamWKernel}).
 */
public final class AdamW {
    /** The optimizer's hyper-parameters. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        public Settings {
            if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) throw new IllegalArgumentException("betas must be in [0, 1)");
            if (eps <= 0) throw new IllegalArgumentException("eps must be positive");
            if (weightDecay < 0) throw new IllegalArgumentException("weight decay must be >= 0");
        }

        /** The defaults of nanoGPT-style training: betas (0.9, 0.95), eps 1e-8, weight decay 0.1. */
        public static Settings defaults() {
            return new Settings(0.9, 0.95, 1e-8, 0.1);
        }
    }

    private final Settings settings;
    private final List<String> names = new ArrayList<>();
    private final List<Tensor> params = new ArrayList<>();
    private final List<float[]> m = new ArrayList<>();
    private final List<float[]> v = new ArrayList<>();
    private long step;

    /** Optimizes the parameters that require a gradient (frozen ones are skipped). */
    public AdamW(Map<String, Tensor> parameters, Settings settings) {
        this.settings = settings;
        parameters.forEach((name, t) -> {
            if (t.requiresGrad()) {
                names.add(name);
                params.add(t);
                m.add(new float[t.size()]);
                v.add(new float[t.size()]);
            }
        });
    }

    /** One update with learning rate {@code lr} from the gradients in place. */
    public void step(double lr) {
        step++;
        double b1 = settings.beta1(), b2 = settings.beta2();
        double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
        float stepSize = (float) (lr / bc1);
        float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
        float eps = (float) settings.eps();
        float fb1 = (float) b1, fb2 = (float) b2;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            float[] g = p.grad();
            if (g == null) continue;
            float[] w = p.data(), mi = m.get(i), vi = v.get(i);
            int off = p.offset();
            float decay = p.rank() >= 2 ? (float) (1 - lr * settings.weightDecay()) : 1f;
            AdamWKernel.update(w, off, g, mi, vi, mi.length, fb1, fb2, decay, stepSize, invSqrtBc2, eps);
        }
    }

    public long stepCount() { return step; }

    public List<String> names() { return names; }

    public List<float[]> firstMoments() { return m; }

    public List<float[]> secondMoments() { return v; }

    /** Restores a saved state (moments in {@link #names()} order). */
    public void restore(long steps, List<float[]> firstMoments, List<float[]> secondMoments) {
        for (int i = 0; i < m.size(); i++) {
            System.arraycopy(firstMoments.get(i), 0, m.get(i), 0, m.get(i).length);
            System.arraycopy(secondMoments.get(i), 0, v.get(i), 0, v.get(i).length);
        }
        this.step = steps;
    }

    /** Gradient elements per task of {@link #clipGradNorm}: fixed, so the sum's order does not depend on the thread count. */
    private static final int NORM_CHUNK = 1 << 15;

    /**
     * Global L2 norm of the gradients; when above {@code maxNorm}, scales them by maxNorm/(norm+1e-6)
     * (torch clip_grad_norm_). The squares are summed in double over fixed chunks on the kernel pool,
     * then the chunks' sums in order: the same norm on any number of threads.
     */
    public static double clipGradNorm(Iterable<Tensor> parameters, double maxNorm) {
        List<float[]> grads = new ArrayList<>();
        for (Tensor p : parameters) if (p.grad() != null) grads.add(p.grad());
        List<int[]> chunks = new ArrayList<>(); // (gradient, from, to)
        for (int i = 0; i < grads.size(); i++) {
            for (int from = 0; from < grads.get(i).length; from += NORM_CHUNK) {
                chunks.add(new int[] {i, from, Math.min(grads.get(i).length, from + NORM_CHUNK)});
            }
        }
        double[] partial = new double[chunks.size()];
        Parallel.parallelFor(chunks.size(), c -> {
            int[] chunk = chunks.get(c);
            partial[c] = sumOfSquares(grads.get(chunk[0]), chunk[1], chunk[2]);
        });
        double sq = 0;
        for (double x : partial) sq += x;
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float scale = (float) coef;
            Parallel.parallelFor(chunks.size(), c -> {
                int[] chunk = chunks.get(c);
                float[] g = grads.get(chunk[0]);
                for (int j = chunk[1]; j < chunk[2]; j++) g[j] *= scale;
            });
        }
        return norm;
    }

    /** Sum of squares of g[from, to) in double, over four interleaved partial sums (independent add chains). */
    static double sumOfSquares(float[] g, int from, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = from;
        for (; j + 4 <= to; j += 4) {
            double a = g[j], b = g[j + 1], c = g[j + 2], d = g[j + 3];
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }
        for (; j < to; j++) s0 += (double) g[j] * g[j];
        return (s0 + s1) + (s2 + s3);
    }
}
