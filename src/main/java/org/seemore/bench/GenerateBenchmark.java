package org.seemore.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.seemore.model.llama.FastDecoder;
import org.seemore.model.llama.LlamaWeights;
import org.seemore.tensor.Rng;
import org.seemore.tensor.kernels.Parallel;

/**
 * Generation speed of a Llama, Qwen2 or Mixtral decoder through {@link FastDecoder}, as inference engines
 * report it: the prefill of one prompt (tokens/s, and the time to the first token), then greedy
 * decoding at batch 1 and at batch 8 (new tokens/s over all sequences). Prompts are random ids
 * (seeded); end tokens are ignored, so every run decodes the same number of tokens. A warm-up round
 * on short prompts runs first, while the JIT compiles the kernels. The timed runs are repeated and
 * each figure is the median of its repeats: on a machine whose memory bandwidth other tenants share,
 * a single batch-1 run varied by a third between two runs of the same build.
 */
public final class GenerateBenchmark {
    /** The sequences of the batched decoding. */
    public static final int BATCH = 8;

    private GenerateBenchmark() {}

    /**
     * @param promptTokens      the prompt of the batch-1 run (its prefill is timed)
     * @param batchPromptTokens each sequence's prompt in the batch-8 run
     * @param newTokens         tokens decoded per sequence after the prompt
     */
    public record Settings(int promptTokens, int batchPromptTokens, int newTokens, long seed, int repeats) {
        public Settings {
            if (repeats < 1) throw new IllegalArgumentException("repeats " + repeats);
        }
    }

    /** The figures, in the JSON report's order. */
    public record Result(double prefillTokensPerS, double timeToFirstTokenMs, double decodeTokensPerS, double batchDecodeTokensPerS,
                         double batchPrefillTokensPerS, double peakRssMb, double prefillTokensPerCpuS, double decodeTokensPerCpuS,
                         double batchDecodeTokensPerCpuS, double decodeTokensPerSMin, double decodeTokensPerSMax) {
        /** The figures by their JSON names. */
        public Map<String, Object> toMap() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("prefill_tokens_per_s", prefillTokensPerS);
            out.put("time_to_first_token_ms", timeToFirstTokenMs);
            out.put("decode_tokens_per_s_batch1", decodeTokensPerS);
            out.put("decode_tokens_per_s_batch1_min", decodeTokensPerSMin);
            out.put("decode_tokens_per_s_batch1_max", decodeTokensPerSMax);
            out.put("decode_tokens_per_s_batch8", batchDecodeTokensPerS);
            out.put("prefill_tokens_per_s_batch8", batchPrefillTokensPerS);
            out.put("peak_rss_mb", peakRssMb);
            out.put("prefill_tokens_per_cpu_s", prefillTokensPerCpuS);
            out.put("decode_tokens_per_cpu_s_batch1", decodeTokensPerCpuS);
            out.put("decode_tokens_per_cpu_s_batch8", batchDecodeTokensPerCpuS);
            return out;
        }
    }

    /** Runs the warm-up, then the timed batch-1 and batch-8 runs {@code repeats} times each (the same prompts), on the current {@link Parallel} pool. */
    public static Result run(LlamaWeights weights, Settings s) {
        int vocab = weights.config().vocabSize(), n = s.repeats();
        Rng rng = new Rng(s.seed());
        warmUp(weights, rng);
        int[] single = prompt(rng, s.promptTokens(), vocab), batched = prompt(rng, BATCH * s.batchPromptTokens(), vocab);
        double[][] f = new double[8][n];
        for (int r = 0; r < n; r++) {
            Timing one = generate(weights, 1, single, s.promptTokens(), s.newTokens());
            Timing eight = generate(weights, BATCH, batched, s.batchPromptTokens(), s.newTokens());
            f[0][r] = s.promptTokens() / one.prefillSeconds();
            f[1][r] = 1e3 * one.firstTokenSeconds();
            f[2][r] = s.newTokens() / one.decodeSeconds();
            f[3][r] = (double) BATCH * s.newTokens() / eight.decodeSeconds();
            f[4][r] = (double) BATCH * s.batchPromptTokens() / eight.prefillSeconds();
            f[5][r] = s.promptTokens() / one.prefillCpuSeconds();
            f[6][r] = s.newTokens() / one.decodeCpuSeconds();
            f[7][r] = (double) BATCH * s.newTokens() / eight.decodeCpuSeconds();
        }
        double rss = TrainBenchmark.peakRssMb();
        return new Result(median(f[0]), median(f[1]), median(f[2]), median(f[3]), median(f[4]), rss, median(f[5]), median(f[6]), median(f[7]),
                Arrays.stream(f[2]).min().orElseThrow(), Arrays.stream(f[2]).max().orElseThrow());
    }

    /** The middle value (the mean of the two middle ones for an even count). */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    /** Short runs of every path (a GEMM prefill, one- and eight-row steps) until the JIT has compiled them. */
    private static void warmUp(LlamaWeights weights, Rng rng) {
        int vocab = weights.config().vocabSize();
        for (int round = 0; round < 2; round++) {
            generate(weights, 1, prompt(rng, 32, vocab), 32, 8);
            generate(weights, BATCH, prompt(rng, BATCH * 4, vocab), 4, 8);
        }
    }

    /** Wall times, and the process's CPU times (all threads; on a machine shared with other work, the figure that load does not stretch). */
    private record Timing(double prefillSeconds, double firstTokenSeconds, double decodeSeconds, double prefillCpuSeconds, double decodeCpuSeconds) {}

    /** One prefill of {@code t} positions per sequence and {@code steps} greedy steps, timed apart. */
    private static Timing generate(LlamaWeights weights, int batch, int[] prompt, int t, int steps) {
        int vocab = weights.config().vocabSize();
        FastDecoder decoder = new FastDecoder(weights, batch, Math.min(t + steps + 1, weights.config().maxPositionEmbeddings()));
        long cpu0 = cpuNanos(), start = System.nanoTime();
        float[] logits = decoder.prefill(prompt, null, false);
        long prefilled = System.nanoTime(), cpu1 = cpuNanos();
        int[] next = new int[batch];
        for (int b = 0; b < batch; b++) next[b] = FastDecoder.argmax(logits, b * vocab, vocab);
        long first = System.nanoTime(), cpu2 = cpuNanos();
        for (int s = 0; s < steps; s++) {
            logits = decoder.step(next);
            for (int b = 0; b < batch; b++) next[b] = FastDecoder.argmax(logits, b * vocab, vocab);
        }
        long end = System.nanoTime(), cpu3 = cpuNanos();
        return new Timing((prefilled - start) / 1e9, (first - start) / 1e9, (end - first) / 1e9, (cpu1 - cpu0) / 1e9, (cpu3 - cpu2) / 1e9);
    }

    /** CPU time of the whole process so far, in nanoseconds (-1 where the JVM cannot tell). */
    private static long cpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static int[] prompt(Rng rng, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = rng.nextInt(vocab);
        return ids;
    }
}
