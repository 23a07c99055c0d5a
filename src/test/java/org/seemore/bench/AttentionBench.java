package org.seemore.bench;

import org.seemore.tensor.FusedAttention;
import org.seemore.tensor.Reductions;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.Parallel;

/**
 * Times the fused attention op at the seemore preset's two shapes, by hand (not a test): the best
 * of several rounds, as the machine is shared. {@code -Dseemore.attention.direct=false} times the
 * GEMM path instead of the direct loops.
 */
public final class AttentionBench {
    private AttentionBench() {}

    public static void main(String[] args) {
        Parallel.setThreads(Integer.parseInt(args.length > 0 ? args[0] : "1"));
        Rng rng = new Rng(1);
        int[][] shapes = Boolean.getBoolean("decoderOnly") ? new int[][] {{16, 65, 8, 16, 1}} : new int[][] {{16, 37, 8, 64, 0}, {16, 65, 8, 16, 1}};
        for (int[] s : shapes) {
            Tensor qkv = Tensor.of(rng.uniform(s[0] * s[1] * 3 * s[2] * s[3], -1f, 1f), s[0], s[1], 3 * s[2] * s[3]).requiresGrad(true);
            double bestFwd = Double.MAX_VALUE, bestBwd = Double.MAX_VALUE;
            var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long bytes = 0;
            for (int round = 0; round < 30; round++) {
                long fwd = 0, bwd = 0;
                long b0 = mx.getTotalThreadAllocatedBytes();
                for (int i = 0; i < 10; i++) {
                    long t0 = System.nanoTime();
                    Tensor y = FusedAttention.selfAttention(qkv, s[2], s[4] == 1);
                    long t1 = System.nanoTime();
                    Reductions.sumAll(y).backward();
                    long t2 = System.nanoTime();
                    fwd += t1 - t0;
                    bwd += t2 - t1;
                    qkv.clearGrad();
                }
                bytes = (mx.getTotalThreadAllocatedBytes() - b0) / 10;
                bestFwd = Math.min(bestFwd, fwd / 10e6);
                bestBwd = Math.min(bestBwd, bwd / 10e6);
            }
            System.out.printf("B=%d T=%d H=%d hd=%d causal=%d: forward %.2f ms, backward %.2f ms (last round allocates %.1f MB per pass)%n",
                    s[0], s[1], s[2], s[3], s[4], bestFwd, bestBwd, bytes / 1e6);
        }
    }
}
