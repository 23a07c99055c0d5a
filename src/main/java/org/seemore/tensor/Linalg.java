package org.seemore.tensor;

import java.util.Arrays;
import org.seemore.tensor.kernels.Gemm;
import org.seemore.tensor.kernels.VectorMath;

/**
 * Matrix products on the packed GEMM kernel. Transposes are flags passed to the kernel (handled in
 * its packing), so the forward {@code Y = X·Wᵀ} and the backward {@code dX = dY·W}, {@code dW = dYᵀ·X}
 * need no transposed copies.
 */
public final class Linalg {
    private Linalg() {}

    /**
     * {@code op(a) · op(b)} over matching leading (batch) dimensions; {@code b} may instead be a single
     * matrix shared by every batch item. a is {@code [..., M, K]} ({@code [..., K, M]} when transA),
     * b is {@code [..., K, N]} ({@code [..., N, K]} when transB); the result is {@code [..., M, N]}.
     */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        int[] as = a.shape(), bs = b.shape();
        if (as.length < 2 || bs.length < 2) throw new IllegalArgumentException("matmul needs matrices: " + Shapes.str(as) + " · " + Shapes.str(bs));
        int m = transA ? as[as.length - 1] : as[as.length - 2];
        int k = transA ? as[as.length - 2] : as[as.length - 1];
        int kb = transB ? bs[bs.length - 1] : bs[bs.length - 2];
        int n = transB ? bs[bs.length - 2] : bs[bs.length - 1];
        if (k != kb) throw new IllegalArgumentException("matmul inner dimensions differ: " + Shapes.str(as) + " · " + Shapes.str(bs));
        int batch = Shapes.numel(Arrays.copyOf(as, as.length - 2));
        boolean sharedB = bs.length == 2;
        if (!sharedB && !Arrays.equals(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2))) {
            throw new IllegalArgumentException("matmul batch dimensions differ: " + Shapes.str(as) + " · " + Shapes.str(bs));
        }
        int lda = transA ? m : k, ldb = transB ? k : n;
        int strideA = m * k, strideB = sharedB ? 0 : k * n, strideC = m * n;
        int[] os = Arrays.copyOf(as, as.length);
        os[os.length - 2] = m;
        os[os.length - 1] = n;
        float[] out = StepArena.uninitialized(batch * strideC);
        float[] ad = a.data(), bd = b.data();
        int ao = a.offset(), bo = b.offset();
        Gemm.gemmBatched(batch, transA, transB, m, n, k, ad, ao, lda, strideA, bd, bo, ldb, strideB, out, 0, n, strideC, false);
        return Tensor.result(out, os, r -> {
            float[] g = r.grad();
            if (a.requiresGrad()) { // each batch item writes its own part of dA: in parallel
                float[] ga = a.gradBuffer();
                if (!transA) { // dA[M,K] = dC · op(B)ᵀ
                    Gemm.gemmBatched(batch, false, !transB, m, k, n, g, 0, n, strideC, bd, bo, ldb, strideB, ga, 0, k, strideA, true);
                } else {       // dA[K,M] = op(B) · dCᵀ
                    Gemm.gemmBatched(batch, transB, true, k, m, n, bd, bo, ldb, strideB, g, 0, n, strideC, ga, 0, m, strideA, true);
                }
            }
            if (b.requiresGrad() && !sharedB) {
                float[] gb = b.gradBuffer();
                if (!transB) { // dB[K,N] = op(A)ᵀ · dC
                    Gemm.gemmBatched(batch, !transA, false, k, n, m, ad, ao, lda, strideA, g, 0, n, strideC, gb, 0, n, strideB, true);
                } else {       // dB[N,K] = dCᵀ · op(A)
                    Gemm.gemmBatched(batch, true, transA, n, k, m, g, 0, n, strideC, ad, ao, lda, strideA, gb, 0, k, strideB, true);
                }
            } else if (b.requiresGrad()) { // a shared B sums every batch item's part, in order
                float[] gb = b.gradBuffer();
                for (int i = 0; i < batch; i++) {
                    if (!transB) { // dB[K,N] = op(A)ᵀ · dC
                        Gemm.gemm(!transA, false, k, n, m, ad, ao + i * strideA, lda, g, i * strideC, n, gb, i * strideB, n, true);
                    } else {       // dB[N,K] = dCᵀ · op(A)
                        Gemm.gemm(true, transA, n, k, m, g, i * strideC, n, ad, ao + i * strideA, lda, gb, i * strideB, k, true);
                    }
                }
            }
        }, a, b);
    }

    public static Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, b, false, false);
    }

    /**
     * A fully connected layer as in PyTorch: {@code y = x · Wᵀ + bias}, x {@code [..., in]},
     * W {@code [out, in]}, bias {@code [out]} or null; y {@code [..., out]}.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int in = x.dim(-1), outF = weight.dim(0);
        if (weight.dim(1) != in) throw new IllegalArgumentException("linear: input " + Shapes.str(x.shape()) + " vs weight " + Shapes.str(weight.shape()));
        int rows = x.size() / in;
        int[] os = x.shape();
        os[os.length - 1] = outF;
        float[] out = StepArena.uninitialized(rows * outF);
        float[] xd = x.data(), wd = weight.data();
        int xo = x.offset(), wo = weight.offset();
        if (bias != null) {
            Gemm.gemmBias(false, true, rows, outF, in, xd, xo, in, wd, wo, in, out, 0, outF, bias.data(), bias.offset());
        } else {
            Gemm.gemm(false, true, rows, outF, in, xd, xo, in, wd, wo, in, out, 0, outF, false);
        }
        Tensor.Backward backward = r -> {
            float[] g = r.grad();
            if (x.requiresGrad()) {
                if (x.hasGrad()) {
                    Gemm.gemm(false, false, rows, in, outF, g, 0, outF, wd, wo, in, x.gradBuffer(), 0, in, true);
                } else { // the first gradient to arrive: written, not added to a zero-filled buffer, and handed over
                    float[] gx = StepArena.uninitialized(rows * in);
                    Gemm.gemm(false, false, rows, in, outF, g, 0, outF, wd, wo, in, gx, 0, in, false);
                    x.accumulateGrad(gx);
                }
            }
            if (weight.requiresGrad()) Gemm.gemm(true, false, outF, in, rows, g, 0, outF, xd, xo, in, weight.gradBuffer(), 0, in, true);
            if (bias != null && bias.requiresGrad()) {
                float[] gb = bias.gradBuffer();
                for (int row = 0; row < rows; row++) VectorMath.addInto(g, row * outF, gb, 0, outF);
            }
        };
        return bias == null ? Tensor.result(out, os, backward, x, weight) : Tensor.result(out, os, backward, x, weight, bias);
    }
}
