package org.seemore.tensor;

import java.util.Arrays;

/**
 * The plain elementwise ops that {@link Elementwise} is tested against: one loop per op, an index
 * walker for broadcasting, GELU through the double-precision erfc of {@link MathF}. Also the fast
 * ops' fallback for broadcasts they have no fused loop for.
 */
final class ElementwiseReference {
    private ElementwiseReference() {}

    enum Op { ADD, SUB, MUL, DIV }

    static Tensor add(Tensor a, Tensor b) { return binary(Op.ADD, a, b); }

    static Tensor sub(Tensor a, Tensor b) { return binary(Op.SUB, a, b); }

    static Tensor mul(Tensor a, Tensor b) { return binary(Op.MUL, a, b); }

    static Tensor div(Tensor a, Tensor b) { return binary(Op.DIV, a, b); }

    static Tensor binary(Op op, Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        int[] os = Arrays.equals(as, bs) ? as : Shapes.broadcast(as, bs);
        int n = Shapes.numel(os);
        float[] out = new float[n];
        float[] ad = a.data(), bd = b.data();
        int ao = a.offset(), bo = b.offset();
        if (Arrays.equals(as, bs)) {
            for (int i = 0; i < n; i++) out[i] = apply(op, ad[ao + i], bd[bo + i]);
        } else {
            BroadcastIndex it = new BroadcastIndex(os, as, bs);
            for (int i = 0; i < n; i++, it.next()) out[i] = apply(op, ad[ao + it.a], bd[bo + it.b]);
        }
        return Tensor.result(out, os, o -> {
            float[] g = o.grad();
            boolean same = Arrays.equals(as, bs);
            float[] ga = a.requiresGrad() ? a.gradBuffer() : null;
            float[] gb = b.requiresGrad() ? b.gradBuffer() : null;
            BroadcastIndex it = same ? null : new BroadcastIndex(os, as, bs);
            for (int i = 0; i < n; i++) {
                int ia = same ? i : it.a, ib = same ? i : it.b;
                float x = ad[ao + ia], y = bd[bo + ib], gi = g[i];
                switch (op) {
                    case ADD -> { if (ga != null) ga[ia] += gi; if (gb != null) gb[ib] += gi; }
                    case SUB -> { if (ga != null) ga[ia] += gi; if (gb != null) gb[ib] -= gi; }
                    case MUL -> { if (ga != null) ga[ia] += gi * y; if (gb != null) gb[ib] += gi * x; }
                    case DIV -> { if (ga != null) ga[ia] += gi / y; if (gb != null) gb[ib] -= gi * x / (y * y); }
                }
                if (!same) it.next();
            }
        }, a, b);
    }

    private static float apply(Op op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
        };
    }

    /** Walks a broadcast output shape, tracking the flat offsets into both inputs. */
    static final class BroadcastIndex {
        private final int[] shape, sa, sb, idx;
        int a, b;

        BroadcastIndex(int[] out, int[] as, int[] bs) {
            shape = out;
            sa = Shapes.broadcastStrides(as, out);
            sb = Shapes.broadcastStrides(bs, out);
            idx = new int[out.length];
        }

        void next() {
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d]++;
                a += sa[d];
                b += sb[d];
                if (idx[d] < shape[d]) return;
                a -= sa[d] * shape[d];
                b -= sb[d] * shape[d];
                idx[d] = 0;
            }
        }
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
}
