package org.seemore.tensor;

import java.util.Arrays;
import org.seemore.tensor.kernels.Activations;
import org.seemore.tensor.kernels.Activations.Gate;
import org.seemore.tensor.kernels.BinaryKernel;
import org.seemore.tensor.kernels.BinaryKernel.Layout;
import org.seemore.tensor.kernels.BinaryKernel.Op;

/**
 * Elementwise ops: binary arithmetic with NumPy broadcasting, scaling, and the activations
 * (ReLU, GELU with the exact erf and its tanh approximation, quick_gelu, SiLU, softplus). Each forward sits beside its backward.
 *
 * <p>Vectorized and, when large, multithreaded ({@link BinaryKernel}, {@link Activations}); the
 * broadcasts a model makes (same shape, a bias or positional table repeated over rows, a value per
 * row) have fused loops, any other goes through the scalar {@link BroadcastFallback}. Unary
 * backward steps overwrite their output's gradient in place and hand it to the input
 * ({@link Tensor#accumulateGrad}) instead of allocating another. {@link ElementwiseReference} holds
 * the plain versions these are tested against.
 */
public final class Elementwise {
    private Elementwise() {}

    public static Tensor add(Tensor a, Tensor b) { return binary(Op.ADD, a, b); }

    public static Tensor sub(Tensor a, Tensor b) { return binary(Op.SUB, a, b); }

    public static Tensor mul(Tensor a, Tensor b) { return binary(Op.MUL, a, b); }

    public static Tensor div(Tensor a, Tensor b) { return binary(Op.DIV, a, b); }

    private static Tensor binary(Op op, Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        int[] os = Arrays.equals(as, bs) ? as : Shapes.broadcast(as, bs);
        int n = Shapes.numel(os);
        // view the output as [outer, inner] so that each operand is a FULL, ROW or COLUMN layout
        Layout la = n == a.size() ? Layout.FULL : null, lb = n == b.size() ? Layout.FULL : null;
        int inner;
        if (la != null && lb != null) {
            inner = os.length == 0 ? 1 : os[os.length - 1];
        } else if (la != null || lb != null) {
            int[] partial = la != null ? bs : as;
            int column = columnSplit(partial, os), row = rowSplit(partial, os);
            Layout l = column >= 0 ? Layout.COLUMN : row >= 0 ? Layout.ROW : null;
            if (l == null) return BroadcastFallback.binary(op, a, b);
            inner = tail(os, l == Layout.COLUMN ? column : row);
            if (la == null) la = l; else lb = l;
        } else {
            return BroadcastFallback.binary(op, a, b);
        }
        int outer = inner == 0 ? 0 : n / inner;
        float[] out = StepArena.uninitialized(n);
        Layout layoutA = la, layoutB = lb;
        BinaryKernel.forward(op, a.data(), a.offset(), layoutA, b.data(), b.offset(), layoutB, out, outer, inner);
        return Tensor.result(out, os, o -> {
            float[] g = o.grad();
            // b first: a may then take g over (overwritten in place) when it is full and has no gradient yet
            if (b.requiresGrad()) gradient(op, false, g, a, layoutA, b, layoutB, outer, inner, !a.requiresGrad());
            if (a.requiresGrad()) gradient(op, true, g, a, layoutA, b, layoutB, outer, inner, true);
        }, a, b);
    }

    /** Accumulates one operand's gradient; {@code last} allows reusing g as its buffer. */
    private static void gradient(Op op, boolean forA, float[] g, Tensor a, Layout la, Tensor b, Layout lb,
                                 int outer, int inner, boolean last) {
        Tensor x = forA ? a : b;
        Layout target = forA ? la : lb;
        boolean inPlace = last && target == Layout.FULL && !x.hasGrad() && a != b;
        if (inPlace && (op == Op.ADD || (op == Op.SUB && forA))) {
            x.accumulateGrad(g); // the gradient is g itself
            return;
        }
        float[] gx = inPlace ? g : x.gradBuffer();
        BinaryKernel.backward(op, forA, g, a.data(), a.offset(), la, b.data(), b.offset(), lb, gx, inPlace, outer, inner);
        if (inPlace) x.accumulateGrad(g);
    }

    /**
     * The axis k where {@code s} (left-padded to the output's rank) stops matching {@code os} and is
     * all ones from there on: a value per row of {@code os[:k]}; -1 when s is not such a column.
     */
    private static int columnSplit(int[] s, int[] os) {
        int pad = os.length - s.length, k = 0;
        while (k < os.length && dim(s, pad, k) == os[k]) k++;
        for (int d = k; d < os.length; d++) if (dim(s, pad, d) != 1) return -1;
        return k;
    }

    /** The axis k from which {@code s} (left-padded) equals {@code os}, ones before it; -1 otherwise. */
    private static int rowSplit(int[] s, int[] os) {
        int pad = os.length - s.length, k = os.length;
        while (k > 0 && dim(s, pad, k - 1) == os[k - 1]) k--;
        for (int d = 0; d < k; d++) if (dim(s, pad, d) != 1) return -1;
        return k;
    }

    /** Product of {@code os[k:]}. */
    private static int tail(int[] os, int k) {
        int n = 1;
        for (int d = k; d < os.length; d++) n *= os[d];
        return n;
    }

    private static int dim(int[] s, int pad, int d) {
        return d < pad ? 1 : s[d - pad];
    }

    /** {@code x * factor}. */
    public static Tensor scale(Tensor x, float factor) {
        int n = x.size();
        float[] out = StepArena.uninitialized(n);
        Activations.scale(x.data(), x.offset(), out, n, factor);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            Activations.scale(g, 0, g, n, factor);
            x.accumulateGrad(g);
        }, x);
    }

    public static Tensor relu(Tensor x) {
        int n = x.size();
        float[] out = StepArena.uninitialized(n);
        Activations.relu(x.data(), x.offset(), out, n);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            Activations.reluBackward(g, out, n);
            x.accumulateGrad(g);
        }, x);
    }

    /** GELU with the exact Gaussian CDF: {@code x * Phi(x)} (Hendrycks &amp; Gimpel 2016). */
    public static Tensor gelu(Tensor x) {
        int n = x.size();
        float[] xd = x.data(), out = StepArena.uninitialized(n);
        int xo = x.offset();
        Activations.gelu(xd, xo, out, n);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            Activations.geluBackward(g, xd, xo, n); // d/dx x*Phi(x) = Phi(x) + x*phi(x)
            x.accumulateGrad(g);
        }, x);
    }

    /** SiLU (swish), {@code x·σ(x)} (Elfwing et al. 2018): the gate of Llama's SwiGLU MLP, {@code down(silu(gate(x)) * up(x))}. */
    public static Tensor silu(Tensor x) {
        return sigmoidGated(Gate.SILU, x);
    }

    /** OpenAI CLIP's quick_gelu, {@code x·σ(1.702x)}. */
    public static Tensor quickGelu(Tensor x) {
        return sigmoidGated(Gate.QUICK_GELU, x);
    }

    /** GELU's tanh approximation, {@code 0.5x(1 + tanh(sqrt(2/π)(x + 0.044715x³)))}: PyTorch's {@code approximate="tanh"}, SigLIP's gelu_pytorch_tanh. */
    public static Tensor geluTanh(Tensor x) {
        return sigmoidGated(Gate.GELU_TANH, x);
    }

    private static Tensor sigmoidGated(Gate gate, Tensor x) {
        int n = x.size();
        float[] xd = x.data(), out = StepArena.uninitialized(n);
        int xo = x.offset();
        Activations.sigmoidGate(gate, xd, xo, out, n);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            Activations.sigmoidGateBackward(gate, g, xd, xo, n); // g *= d/dx x·σ(z(x)), in place
            x.accumulateGrad(g);
        }, x);
    }

    /** {@code log(1 + exp(x))}, linear above 20 as PyTorch's default threshold. */
    public static Tensor softplus(Tensor x) {
        int n = x.size();
        float[] xd = x.data(), out = StepArena.uninitialized(n);
        int xo = x.offset();
        for (int i = 0; i < n; i++) {
            double v = xd[xo + i];
            out[i] = (float) (v > 20 ? v : Math.log1p(Math.exp(v)));
        }
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int i = 0; i < n; i++) {
                double v = xd[xo + i];
                gx[i] += (float) (g[i] * (v > 20 ? 1 : 1 / (1 + Math.exp(-v))));
            }
        }, x);
    }
}
