package org.seemore.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.seemore.tensor.kernels.Gemm;
import org.seemore.tensor.kernels.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seemore bench gemm}: GFLOPS (2·m·n·k / time) of {@link Gemm#gemm} on the model's typical
 * shapes, on one thread and on all of them; each figure is the median of repeated timed runs after
 * a warm-up that lets the JIT compile the kernel.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "Measure matrix-multiply GFLOPS on 1 thread and on all threads.")
public final class BenchGemmCommand implements Runnable {
    /** (M, K, N): a batch of tokens through the MLP's up and down projections, patch embedding, a square. */
    private static final int[][] SHAPES = {{592, 512, 2048}, {592, 2048, 512}, {1040, 128, 512}, {512, 512, 512}};
    private static final int TIMED_RUNS = 11;
    private static final double RUN_SECONDS = 0.1;
    private static final double WARMUP_SECONDS = 0.5;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results to FILE as a JSON list.")
    Path json;

    @Option(names = "--threads", paramLabel = "N",
            description = "Thread count for the multi-threaded runs (default: all available processors).")
    Integer threads;

    /** One measurement, as written to the JSON report. */
    @JsonPropertyOrder({"m", "k", "n", "threads", "gflops"})
    public record Result(int m, int k, int n, int threads, double gflops) {}

    @Override
    public void run() {
        int many = threads == null ? Runtime.getRuntime().availableProcessors() : Threads.capped(threads);
        if (json != null) {
            JsonReport.checkWritable(json);
        }
        int before = Parallel.threads();
        List<Result> results = new ArrayList<>();
        System.out.printf("%6s %6s %6s %8s %9s%n", "M", "K", "N", "threads", "GFLOPS");
        try {
            for (int[] shape : SHAPES) {
                for (int t : many == 1 ? new int[] {1} : new int[] {1, many}) {
                    Parallel.setThreads(t);
                    Result result = measure(shape[0], shape[1], shape[2], t);
                    results.add(result);
                    System.out.printf("%6d %6d %6d %8d %9.1f%n", result.m(), result.k(), result.n(), t,
                            result.gflops());
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
        if (json != null) {
            JsonReport.write(json, results);
            System.out.println("wrote " + json);
        }
    }

    private static Result measure(int m, int k, int n, int threads) {
        SplittableRandom random = new SplittableRandom(42);
        float[] a = randomArray(m * k, random);
        float[] b = randomArray(k * n, random);
        float[] c = new float[m * n];
        Runnable product = () -> Gemm.gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
        double flops = 2.0 * m * n * k;
        long start = System.nanoTime();
        int warmups = 0;
        while (warmups < 5 || System.nanoTime() - start < WARMUP_SECONDS * 1e9) {
            product.run();
            warmups++;
        }
        double secondsPerProduct = (System.nanoTime() - start) * 1e-9 / warmups;
        int repeats = (int) Math.max(1, Math.round(RUN_SECONDS / secondsPerProduct));
        double[] gflops = new double[TIMED_RUNS];
        for (int run = 0; run < TIMED_RUNS; run++) {
            long t0 = System.nanoTime();
            for (int r = 0; r < repeats; r++) {
                product.run();
            }
            gflops[run] = flops * repeats / (System.nanoTime() - t0);
        }
        Arrays.sort(gflops);
        return new Result(m, k, n, threads, Math.round(gflops[TIMED_RUNS / 2] * 10) / 10.0);
    }

    private static float[] randomArray(int size, SplittableRandom random) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }
}
