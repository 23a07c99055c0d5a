package org.seemore.tensor;

/**
 * The plain versions of {@link Elementwise}'s ops that it is tested against: one loop per op, each
 * output element's operands found by unravelling its index (no strides, no fused layouts), GELU
 * through the double-precision erfc of {@link MathF}, SiLU, quick_gelu and GELU's tanh form from
 * their textbook formulas in double.
 */
final class ElementwiseReference {
    private ElementwiseReference() {}

    private enum Op { ADD, SUB, MUL, DIV }

    static Tensor add(Tensor a, Tensor b) { return binary(Op.ADD, a, b); }

    static Tensor sub(Tensor a, Tensor b) { return binary(Op.SUB, a, b); }

    static Tensor mul(Tensor a, Tensor b) { return binary(Op.MUL, a, b); }

    static Tensor div(Tensor a, Tensor b) { return binary(Op.DIV, a, b); }

    private static Tensor binary(Op op, Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        int[] os = Shapes.broadcast(as, bs);
        int n = Shapes.numel(os);
        int[] ia = new int[n], ib = new int[n]; // the operands' flat indices of every output element
        for (int i = 0; i < n; i++) {
            ia[i] = sourceIndex(i, os, as);
            ib[i] = sourceIndex(i, os, bs);
        }
        float[] out = new float[n], ad = a.data(), bd = b.data();
        int ao = a.offset(), bo = b.offset();
        for (int i = 0; i < n; i++) out[i] = apply(op, ad[ao + ia[i]], bd[bo + ib[i]]);
        return Tensor.result(out, os, o -> {
            float[] g = o.grad();
            float[] ga = a.requiresGrad() ? a.gradBuffer() : null;
            float[] gb = b.requiresGrad() ? b.gradBuffer() : null;
            for (int i = 0; i < n; i++) {
                float x = ad[ao + ia[i]], y = bd[bo + ib[i]], gi = g[i];
                switch (op) {
                    case ADD -> { if (ga != null) ga[ia[i]] += gi; if (gb != null) gb[ib[i]] += gi; }
                    case SUB -> { if (ga != null) ga[ia[i]] += gi; if (gb != null) gb[ib[i]] -= gi; }
                    case MUL -> { if (ga != null) ga[ia[i]] += gi * y; if (gb != null) gb[ib[i]] += gi * x; }
                    case DIV -> { if (ga != null) ga[ia[i]] += gi / y; if (gb != null) gb[ib[i]] -= gi * x / (y * y); }
                }
            }
        }, a, b);
    }

    /**
     * The flat index into an operand of shape {@code s} (right-aligned against the output shape
     * {@code os}) that output element {@code i} reads: each output coordinate, or 0 where s has 1.
     */
    private static int sourceIndex(int i, int[] os, int[] s) {
        int index = 0, stride = 1, rest = i;
        for (int d = os.length - 1; d >= 0; d--) {
            int coordinate = rest % os[d];
            rest /= os[d];
            int sd = d - (os.length - s.length);
            if (sd < 0) continue;
            if (s[sd] != 1) index += coordinate * stride;
            stride *= s[sd];
        }
        return index;
    }

    private static float apply(Op op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
        };
    }

    /** {@code x * factor}. */
    static Tensor scale(Tensor x, float factor) {
        int n = x.size();
        float[] xd = x.data(), out = new float[n];
        int xo = x.offset();
        for (int i = 0; i < n; i++) out[i] = xd[xo + i] * factor;
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int i = 0; i < n; i++) gx[i] += g[i] * factor;
        }, x);
    }

    static Tensor relu(Tensor x) {
        int n = x.size();
        float[] xd = x.data(), out = new float[n];
        int xo = x.offset();
        for (int i = 0; i < n; i++) out[i] = Math.max(xd[xo + i], 0f);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int i = 0; i < n; i++) if (out[i] > 0f) gx[i] += g[i];
        }, x);
    }

    /** GELU with the exact Gaussian CDF: {@code x * Phi(x)} (Hendrycks &amp; Gimpel 2016). */
    static Tensor gelu(Tensor x) {
        int n = x.size();
        float[] xd = x.data(), out = new float[n];
        int xo = x.offset();
        for (int i = 0; i < n; i++) {
            double v = xd[xo + i];
            out[i] = (float) (v * MathF.normalCdf(v));
        }
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int i = 0; i < n; i++) {
                double v = xd[xo + i];
                // d/dx x*Phi(x) = Phi(x) + x*phi(x)
                gx[i] += (float) (g[i] * (MathF.normalCdf(v) + v * MathF.normalPdf(v)));
            }
        }, x);
    }

    /** SiLU, {@code x / (1 + e^-x)}; its slope {@code σ(x)·(1 + x·(1 - σ(x)))}. */
    static Tensor silu(Tensor x) {
        return unary(x, v -> v / (1 + Math.exp(-v)), v -> {
            double s = 1 / (1 + Math.exp(-v));
            return s * (1 + v * (1 - s));
        });
    }

    /** quick_gelu, {@code x·σ(1.702x)}; its slope {@code σ + 1.702·x·σ·(1 - σ)}. */
    static Tensor quickGelu(Tensor x) {
        return unary(x, v -> v / (1 + Math.exp(-1.702 * v)), v -> {
            double s = 1 / (1 + Math.exp(-1.702 * v));
            return s + 1.702 * v * s * (1 - s);
        });
    }

    /** GELU's tanh form as written, {@code 0.5x(1 + tanh(u))}, {@code u = sqrt(2/π)(x + 0.044715x³)}, by the product rule. */
    static Tensor geluTanh(Tensor x) {
        double k = Math.sqrt(2 / Math.PI);
        return unary(x, v -> 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v))), v -> {
            double t = Math.tanh(k * (v + 0.044715 * v * v * v));
            return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k * (1 + 3 * 0.044715 * v * v);
        });
    }

    /** An activation f with slope f', each value in double. */
    private static Tensor unary(Tensor x, java.util.function.DoubleUnaryOperator f, java.util.function.DoubleUnaryOperator slope) {
        int n = x.size();
        float[] xd = x.data(), out = new float[n];
        int xo = x.offset();
        for (int i = 0; i < n; i++) out[i] = (float) f.applyAsDouble(xd[xo + i]);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad(), gx = x.gradBuffer();
            for (int i = 0; i < n; i++) gx[i] += (float) (g[i] * slope.applyAsDouble(xd[xo + i]));
        }, x);
    }
}
