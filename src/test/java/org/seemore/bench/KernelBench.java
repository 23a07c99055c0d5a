package org.seemore.bench;

import org.seemore.tensor.kernels.Activations;
import org.seemore.tensor.kernels.BinaryKernel;
import org.seemore.tensor.kernels.DropoutKernel;
import org.seemore.tensor.kernels.LayerNormKernel;
import org.seemore.tensor.kernels.Parallel;
import org.seemore.tensor.kernels.SoftmaxKernel;

/**
 * Times the memory-bound kernels on 2^20 values, by hand (not a test): nanoseconds and bytes
 * allocated per element. Any allocation means the JIT kept some vector on the heap. Argument: threads.
 */
public final class KernelBench {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private KernelBench() {}

    /** Runs {@code r} 20 times to warm up, then 50 times, and prints the cost per element of n. */
    public static void time(String name, int n, Runnable r) {
        for (int k = 0; k < 20; k++) r.run();
        long a0 = MX.getTotalThreadAllocatedBytes(), t0 = System.nanoTime();
        for (int k = 0; k < 50; k++) r.run();
        long t1 = System.nanoTime(), a1 = MX.getTotalThreadAllocatedBytes();
        System.out.printf("  %-10s %6.2f ns/elem  %8.1f B/elem%n", name, (t1 - t0) / (50.0 * n), (a1 - a0) / (50.0 * n));
    }
    public static void main(String[] args) {
        int n = 1 << 20;
        float[] x = new float[n], out = new float[n], g = new float[n];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < n; i++) { x[i] = (float) r.nextGaussian(); g[i] = 1f; }
        Parallel.setThreads(Integer.parseInt(args.length > 0 ? args[0] : "1"));
        float[] mean = new float[n / 512], rstd = new float[n / 512], gw = new float[512], gb = new float[512];
        for (int rep = 0; rep < 3; rep++) {
            time("gelu", n, () -> Activations.gelu(x, 0, out, n));
            time("geluBwd", n, () -> Activations.geluBackward(g, x, 0, n));
            time("relu", n, () -> Activations.relu(x, 0, out, n));
            time("dropout", n, () -> DropoutKernel.apply(x, 0, out, n, 12345L, 0.1f, 1.1f));
            time("addRow", n, () -> BinaryKernel.forward(BinaryKernel.Op.ADD, x, 0, BinaryKernel.Layout.FULL, g, 0, BinaryKernel.Layout.ROW, out, n / 512, 512));
            time("mulFull", n, () -> BinaryKernel.forward(BinaryKernel.Op.MUL, x, 0, BinaryKernel.Layout.FULL, g, 0, BinaryKernel.Layout.FULL, out, n / 512, 512));
            time("layerNorm", n, () -> LayerNormKernel.forward(x, 0, g, 0, g, 0, out, mean, rstd, n / 512, 512, 1e-5f));
            time("lnBwd", n, () -> LayerNormKernel.backward(g, x, 0, g, 0, mean, rstd, out, gw, gb, n / 512, 512));
            time("softmax65", n, () -> SoftmaxKernel.forward(x, 0, out, n / 65, 65, 65, true, 0.25f));
            time("softmaxBwd", n, () -> SoftmaxKernel.backward(g, x, out, n / 65, 65, 0.25f));
            time("mulRowBwdA", n, () -> BinaryKernel.backward(BinaryKernel.Op.MUL, true, g, x, 0, BinaryKernel.Layout.FULL, g, 0, BinaryKernel.Layout.ROW, out, false, n / 512, 512));
            time("mulRowBwdB", n, () -> BinaryKernel.backward(BinaryKernel.Op.MUL, false, g, x, 0, BinaryKernel.Layout.FULL, g, 0, BinaryKernel.Layout.ROW, out, false, n / 512, 512));
            time("mulColBwdB", n, () -> BinaryKernel.backward(BinaryKernel.Op.MUL, false, g, x, 0, BinaryKernel.Layout.FULL, g, 0, BinaryKernel.Layout.COLUMN, out, false, n / 128, 128));
            time("divFullBwd", n, () -> BinaryKernel.backward(BinaryKernel.Op.DIV, false, g, x, 0, BinaryKernel.Layout.FULL, g, 0, BinaryKernel.Layout.FULL, out, true, n / 128, 128));
            System.out.println();
        }
    }
}
