package org.seemore.tensor;

import org.seemore.tensor.kernels.BinaryKernel.Op;

/**
 * Binary arithmetic for the broadcasts {@link Elementwise} has no fused loop for (an outer product
 * {@code [3, 1] + [1, 5]}, a broadcast on both sides): one scalar loop that walks the output and
 * tracks where each operand's value lies. The model never makes such a broadcast, so its speed does
 * not matter; {@code ElementwiseReference} is what it is tested against.
 */
final class BroadcastFallback {
    private BroadcastFallback() {}

    /** {@code a op b} with NumPy broadcasting, differentiable in both. */
    static Tensor binary(Op op, Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        int[] os = Shapes.broadcast(as, bs);
        int n = Shapes.numel(os);
        float[] out = new float[n];
        float[] ad = a.data(), bd = b.data();
        int ao = a.offset(), bo = b.offset();
        BroadcastIndex it = new BroadcastIndex(os, as, bs);
        for (int i = 0; i < n; i++, it.next()) out[i] = apply(op, ad[ao + it.a], bd[bo + it.b]);
        return Tensor.result(out, os, o -> {
            float[] g = o.grad();
            float[] ga = a.requiresGrad() ? a.gradBuffer() : null;
            float[] gb = b.requiresGrad() ? b.gradBuffer() : null;
            BroadcastIndex at = new BroadcastIndex(os, as, bs);
            for (int i = 0; i < n; i++, at.next()) {
                int ia = at.a, ib = at.b;
                float x = ad[ao + ia], y = bd[bo + ib], gi = g[i];
                switch (op) {
                    case ADD -> { if (ga != null) ga[ia] += gi; if (gb != null) gb[ib] += gi; }
                    case SUB -> { if (ga != null) ga[ia] += gi; if (gb != null) gb[ib] -= gi; }
                    case MUL -> { if (ga != null) ga[ia] += gi * y; if (gb != null) gb[ib] += gi * x; }
                    case DIV -> { if (ga != null) ga[ia] += gi / y; if (gb != null) gb[ib] -= gi * x / (y * y); }
                }
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
    private static final class BroadcastIndex {
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
}
