package org.seemore.tensor.kernels;

public final class PassBench {
    public static void main(String[] args) {
        int n = 1 << 20;
        float[] x = new float[n], a = new float[n], b = new float[n], out = new float[n];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        for (int rep = 0; rep < 3; rep++) {
            org.seemore.bench.KernelBench.time("gaussian", n, () -> Activations.gaussian(x, 0, a, n));
            org.seemore.bench.KernelBench.time("normalCdf", n, () -> Activations.normalCdf(x, 0, a, b, n));
            org.seemore.bench.KernelBench.time("product", n, () -> Activations.product(x, 0, b, out, 0, n));
            org.seemore.bench.KernelBench.time("slope", n, () -> Activations.slope(x, 0, a, b, out, 0, n));
        }
    }
}
