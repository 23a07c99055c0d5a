package org.seemore.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.seemore.tensor.BufferPool;
import org.seemore.tensor.FusedAttention;
import org.seemore.tensor.Reductions;
import org.seemore.tensor.RopeTable;
import org.seemore.tensor.StepArena;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.Activations;
import org.seemore.tensor.kernels.Activations.Gate;
import org.seemore.tensor.kernels.BinaryKernel;
import org.seemore.tensor.kernels.BinaryKernel.Layout;
import org.seemore.tensor.kernels.BinaryKernel.Op;
import org.seemore.tensor.kernels.DecodeAttention;
import org.seemore.tensor.kernels.DropoutKernel;
import org.seemore.tensor.kernels.LayerNormKernel;
import org.seemore.tensor.kernels.RmsNormKernel;
import org.seemore.tensor.kernels.RopeKernel;
import org.seemore.tensor.kernels.SoftmaxKernel;

/**
 * Times the kernels that are not matrix products, one at a time on the calling thread's pool:
 * the memory-bound elementwise, normalization, rotary and softmax loops on {@code elements} values,
 * the fused attention op, forward and backward, at the {@code seemore} preset's two shapes (of a
 * batch of {@code batch} images) and at a grouped-query decoder's (SmolLM2-135M's heads), and one
 * decoding step's grouped attention over a cache. Each figure is the median of timed rounds of about
 * {@value #ROUND_SECONDS} s after the warm-up, untimed calls for a while (the JIT compiles the
 * Vector API loops only after many iterations; until then they run many times slower). Bytes allocated per element should be near 0:
 * more means the JIT kept some vector on the heap (a boxed vector costs several times the loop).
 */
public final class KernelBenchmark {
    private static final double ROUND_SECONDS = 0.05;
    /** Row width of the normalization and broadcast kernels (the ViT's), and of the softmax rows (the decoder's positions). */
    private static final int ROW = 512, SOFTMAX_ROW = 65, COLUMN_ROW = 128;

    private KernelBenchmark() {}

    /** One kernel's figures: per call, and per element of its input. */
    public record Result(String kernel, long elements, int threads, double msPerCall, double nsPerElement, double bytesPerElement) {}

    /** A kernel to time: its name, the elements one call processes, the call. */
    private record Kernel(String name, long elements, Runnable call) {}

    /** What to run: values per call, attention batch, seconds of untimed calls per kernel, timed rounds; the threads are the pool's. */
    public record Settings(int elements, int batch, double warmupSeconds, int rounds) {}

    /** Every kernel on {@code elements} values (rounded down to whole rows), each after its warm-up calls. */
    public static List<Result> run(Settings s, int threads) {
        List<Result> results = new ArrayList<>();
        for (Kernel k : kernels(s.elements(), s.batch())) results.add(measure(k, s.warmupSeconds(), s.rounds(), threads));
        return results;
    }

    private static List<Kernel> kernels(int elements, int batch) {
        int n = Math.max(ROW, elements / ROW * ROW), rows = n / ROW;
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[n], out = new float[n], g = new float[n], probs = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
            g[i] = 1f;
        }
        float[] mean = new float[rows], rstd = new float[rows], gw = new float[ROW], gb = new float[ROW];
        int softmaxRows = n / SOFTMAX_ROW;
        SoftmaxKernel.forward(x, 0, probs, softmaxRows, SOFTMAX_ROW, SOFTMAX_ROW, true, 0.25f);
        List<Kernel> list = new ArrayList<>(List.of(
                new Kernel("gelu", n, () -> Activations.gelu(x, 0, out, n)),
                new Kernel("gelu backward", n, () -> Activations.geluBackward(copy(g, out), x, 0, n)),
                new Kernel("relu", n, () -> Activations.relu(x, 0, out, n)),
                new Kernel("dropout", n, () -> DropoutKernel.apply(x, 0, out, n, 12345L, 0.1f, 1.1f)),
                new Kernel("add, a row repeated", n, () -> BinaryKernel.forward(Op.ADD, x, 0, Layout.FULL, g, 0, Layout.ROW, out, rows, ROW)),
                new Kernel("mul, same shape", n, () -> BinaryKernel.forward(Op.MUL, x, 0, Layout.FULL, g, 0, Layout.FULL, out, rows, ROW)),
                new Kernel("mul backward, to the full side", n, () -> BinaryKernel.backward(Op.MUL, true, g, x, 0, Layout.FULL, g, 0, Layout.ROW, out, false, rows, ROW)),
                new Kernel("mul backward, to the row", n, () -> BinaryKernel.backward(Op.MUL, false, g, x, 0, Layout.FULL, g, 0, Layout.ROW, out, false, rows, ROW)),
                new Kernel("mul backward, to a column", n, () -> BinaryKernel.backward(Op.MUL, false, g, x, 0, Layout.FULL, g, 0, Layout.COLUMN, out, false,
                        n / COLUMN_ROW, COLUMN_ROW)),
                new Kernel("layerNorm", n, () -> LayerNormKernel.forward(x, 0, g, 0, g, 0, out, mean, rstd, rows, ROW, 1e-5f)),
                new Kernel("layerNorm backward", n, () -> LayerNormKernel.backward(g, x, 0, g, 0, mean, rstd, out, gw, gb, rows, ROW)),
                new Kernel("softmax, causal", (long) softmaxRows * SOFTMAX_ROW,
                        () -> SoftmaxKernel.forward(x, 0, out, softmaxRows, SOFTMAX_ROW, SOFTMAX_ROW, true, 0.25f)),
                new Kernel("softmax backward", (long) softmaxRows * SOFTMAX_ROW, () -> SoftmaxKernel.backward(g, probs, out, softmaxRows, SOFTMAX_ROW, 0.25f))));
        list.addAll(languageModelKernels(n, rows, x, g, out, random));
        list.add(attention("attention fwd+bwd, ViT B=" + batch + " T=37 H=8 hd=64", batch, 37, 8, 64, false, random));
        list.add(attention("attention fwd+bwd, decoder B=" + batch + " T=65 H=8 hd=16 causal", batch, 65, 8, 16, true, random));
        list.add(groupedAttention("attention fwd+bwd, GQA B=" + batch + " T=128 H=9 KV=3 hd=64 causal padded", batch, 128, 9, 3, 64, random));
        list.add(decodeAttention("attention, one decoding position, H=9 KV=3 hd=64 over 1024", 1024, 9, 3, 64, random));
        return list;
    }

    /**
     * The kernels of the Hugging Face decoders and vision towers on the same n values: RMSNorm over
     * rows of {@link #ROW}, rotary embeddings on rows of 8 heads of 64 at positions 0.., and the
     * sigmoid-gated activations.
     */
    private static List<Kernel> languageModelKernels(int n, int rows, float[] x, float[] g, float[] out, SplittableRandom random) {
        float[] rstd = new float[rows], gw = new float[ROW], w = new float[ROW];
        for (int i = 0; i < ROW; i++) w[i] = 1f + 0.1f * (float) random.nextGaussian();
        int heads = ROW / 64;
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) positions[r] = r;
        RopeTable.Snapshot angles = RopeTable.of(RopeTable.standardFrequencies(64, 10_000f)).covering(rows);
        RmsNormKernel.forward(x, 0, w, 0, out, rstd, rows, ROW, 1e-6f);
        return List.of(
                new Kernel("rmsNorm", n, () -> RmsNormKernel.forward(x, 0, w, 0, out, rstd, rows, ROW, 1e-6f)),
                new Kernel("rmsNorm backward", n, () -> RmsNormKernel.backward(g, x, 0, w, 0, rstd, out, gw, rows, ROW)),
                new Kernel("rope, 8 heads of 64", n, () -> RopeKernel.rotate(x, 0, out, rows, heads, 64, positions, angles.cos(), angles.sin(), false)),
                new Kernel("rope backward, in place", n, () -> RopeKernel.rotate(copy(g, out), 0, out, rows, heads, 64, positions, angles.cos(), angles.sin(), true)),
                new Kernel("silu", n, () -> Activations.sigmoidGate(Gate.SILU, x, 0, out, n)),
                new Kernel("silu backward", n, () -> Activations.sigmoidGateBackward(Gate.SILU, copy(g, out), x, 0, n)),
                new Kernel("quick gelu", n, () -> Activations.sigmoidGate(Gate.QUICK_GELU, x, 0, out, n)),
                new Kernel("gelu tanh", n, () -> Activations.sigmoidGate(Gate.GELU_TANH, x, 0, out, n)),
                new Kernel("gelu tanh backward", n, () -> Activations.sigmoidGateBackward(Gate.GELU_TANH, copy(g, out), x, 0, n)));
    }

    /** Grouped-query attention with separate q, k, v, causal, the second half of the batch left-padded by a quarter, forward then backward. */
    private static Kernel groupedAttention(String name, int b, int t, int heads, int kvHeads, int hd, SplittableRandom random) {
        Tensor q = randomTensor(random, b, t, heads * hd), k = randomTensor(random, b, t, kvHeads * hd), v = randomTensor(random, b, t, kvHeads * hd);
        int[] mask = new int[b * t];
        for (int i = 0; i < mask.length; i++) mask[i] = i / t < b / 2 || i % t >= t / 4 ? 1 : 0;
        BufferPool pool = new BufferPool();
        return new Kernel(name, (long) b * t * (heads + 2 * kvHeads) * hd, () -> {
            q.recycleGrad();
            k.recycleGrad();
            v.recycleGrad();
            try (StepArena arena = StepArena.open(pool)) {
                Reductions.sumAll(FusedAttention.attention(q, k, v, heads, kvHeads, true, mask)).backward();
            }
        });
    }

    private static Tensor randomTensor(SplittableRandom random, int... shape) {
        float[] values = new float[java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextDouble(-1, 1);
        return Tensor.of(values, shape).requiresGrad(true);
    }

    /** One decoding step's attention: every kv head's group of query heads over {@code length} cached positions (the elements: the cache read). */
    private static Kernel decodeAttention(String name, int length, int heads, int kvHeads, int hd, SplittableRandom random) {
        int stride = DecodeAttention.padded(length), group = heads / kvHeads, headKeys = DecodeAttention.keysSize(length, hd);
        float[] keysT = new float[kvHeads * headKeys], values = new float[kvHeads * length * hd], q = new float[heads * hd], y = new float[heads * hd];
        for (int i = 0; i < keysT.length; i++) keysT[i] = (float) random.nextDouble(-1, 1);
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextDouble(-1, 1);
        for (int i = 0; i < q.length; i++) q[i] = (float) random.nextDouble(-1, 1);
        float[] scores = new float[group * stride];
        float scale = (float) (1 / Math.sqrt(hd));
        return new Kernel(name, 2L * kvHeads * length * hd, () -> {
            for (int h = 0; h < kvHeads; h++) {
                DecodeAttention.attendGroup(q, h * group * hd, group, keysT, h * headKeys, values, h * length * hd, length, hd, scale, null, 0,
                        scores, y, h * group * hd);
            }
        });
    }

    /** The gradient the backward steps overwrite in place, refilled first so that each call sees the same input. */
    private static float[] copy(float[] from, float[] to) {
        System.arraycopy(from, 0, to, 0, from.length);
        return to;
    }

    /**
     * The fused attention op at one shape, forward then backward (the elements are those of qkv),
     * with its buffers from a step's pool as in training.
     */
    private static Kernel attention(String name, int b, int t, int heads, int hd, boolean causal, SplittableRandom random) {
        int size = b * t * 3 * heads * hd;
        float[] values = new float[size];
        for (int i = 0; i < size; i++) values[i] = (float) random.nextDouble(-1, 1);
        Tensor qkv = Tensor.of(values, b, t, 3 * heads * hd).requiresGrad(true);
        BufferPool pool = new BufferPool();
        return new Kernel(name, size, () -> {
            qkv.recycleGrad();
            try (StepArena arena = StepArena.open(pool)) {
                Reductions.sumAll(FusedAttention.selfAttention(qkv, heads, causal)).backward();
            }
        });
    }

    private static Result measure(Kernel k, double warmupSeconds, int rounds, int threads) {
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < warmupEnd) k.call().run();
        long t0 = System.nanoTime();
        k.call().run();
        double seconds = Math.max(1e-9, (System.nanoTime() - t0) * 1e-9);
        int repeats = (int) Math.max(1, Math.round(ROUND_SECONDS / seconds));
        double[] perCall = new double[rounds];
        long allocatedBefore = TrainBenchmark.allocatedBytes();
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (int r = 0; r < repeats; r++) k.call().run();
            perCall[round] = (System.nanoTime() - start) / (double) repeats;
        }
        // the JVM's count is an approximation: never report less than nothing
        double allocated = Math.max(0, TrainBenchmark.allocatedBytes() - allocatedBefore) / (double) ((long) rounds * repeats);
        Arrays.sort(perCall);
        double ns = perCall[rounds / 2];
        return new Result(k.name(), k.elements(), threads, ns / 1e6, ns / k.elements(), allocatedBefore < 0 ? Double.NaN : allocated / k.elements());
    }
}
