package org.seemore.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seemore.UserException;
import org.seemore.bench.TrainBenchmark;
import org.seemore.model.Presets;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.kernels.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seemore bench train}: training, inference and generation speed on random data. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time training, inference and generation of the model on random data.",
                "Training steps run forward, backward and AdamW with dropout and routing noise on;",
                "then the inference forward of the same batch, one image's encoding, and KV-cache",
                "generation of 64 tokens for one image."})
public final class BenchTrainCommand implements Callable<Integer> {

    @Option(names = "--preset", paramLabel = "NAME", description = "tiny, small or seemore (default: ${DEFAULT-VALUE}).", defaultValue = Presets.SEEMORE)
    String preset;

    @Option(names = "--batch", paramLabel = "N", description = "Images per step (default: ${DEFAULT-VALUE}).", defaultValue = "16")
    int batch;

    @Option(names = "--text-len", paramLabel = "N", description = "Caption tokens per image (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int textLen;

    @Option(names = "--repeats", paramLabel = "N", description = "Timed repetitions, after warm-up (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int repeats;

    // the first training steps run while the JIT is still compiling the kernels: ~8 steps here
    @Option(names = "--warmup", paramLabel = "N", description = "Untimed repetitions first, while the JIT compiles (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int warmup;

    @Option(names = "--vocab", paramLabel = "N", description = "Vocabulary size (default: ${DEFAULT-VALUE}, the original's).", defaultValue = "66")
    int vocab;

    @Option(names = "--profile", description = "Also print a per-component breakdown, forward and backward, in ms per step.")
    boolean profile;

    @Option(names = "--generation-only", description = "Time only image encoding and generation (skips training and the batch forward).")
    boolean generationOnly;

    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all cores).")
    Integer threads;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
    java.nio.file.Path json;

    @Override
    public Integer call() {
        if (threads != null) Threads.set(threads);
        if (batch < 1 || textLen < 1 || repeats < 1 || vocab < 5) throw new UserException("--batch, --text-len, --repeats must be positive and --vocab at least 5");
        if (warmup < 0) throw new UserException("--warmup must be 0 or more");
        VlmConfig config = CliSupport.parse("--preset", () -> Presets.get(preset, vocab));
        if (config.numVisualTokens() + textLen > config.maxPositions()) throw new UserException("--text-len " + textLen + " does not fit the preset's " + config.maxPositions() + " positions");
        TrainBenchmark.Result r = TrainBenchmark.run(new TrainBenchmark.Settings(config, batch, textLen, warmup, repeats, 64, profile, generationOnly));
        String jdk = Runtime.version().toString();
        System.out.printf(Locale.ROOT, "seemore bench train: preset %s, batch %d, %d text tokens, %d threads, JDK %s%n", preset, batch, textLen, Parallel.threads(), jdk);
        if (!generationOnly) {
            System.out.printf(Locale.ROOT, "  %-28s %10.1f ms%n", "training step (median)", r.trainStepMs());
            System.out.printf(Locale.ROOT, "  %-28s %10.1f GFLOPS%n", "training matmul throughput", r.trainGflops());
            System.out.printf(Locale.ROOT, "  %-28s %10.0f tokens/s%n", "training throughput", r.trainTokensPerS());
            System.out.printf(Locale.ROOT, "  %-28s %10.0f MB%n", "allocated per training step", r.trainAllocatedMb());
            System.out.printf(Locale.ROOT, "  %-28s %10.1f ms%n", "inference forward", r.forwardMs());
        }
        System.out.printf(Locale.ROOT, "  %-28s %10.2f ms%n", "encode one image", r.imageEncodeMs());
        System.out.printf(Locale.ROOT, "  %-28s %10.0f tokens/s%n", "generation (KV cache, B=1)", r.generateTokensPerS());
        System.out.printf(Locale.ROOT, "  %-28s %10.2f ms%n", "time to first token", r.timeToFirstTokenMs());
        System.out.printf(Locale.ROOT, "  %-28s %10.0f MB%n", "peak RSS", r.peakRssMb());
        if (r.profile() != null) {
            System.out.printf(Locale.ROOT, "%n  %-36s %9s %9s%n", "component (ms per step)", "forward", "backward");
            double f = 0, b = 0;
            for (var e : r.profile().entrySet()) {
                System.out.printf(Locale.ROOT, "  %-36s %9.1f %9.1f%n", e.getKey(), e.getValue()[0], e.getValue()[1]);
                f += e.getValue()[0];
                b += e.getValue()[1];
            }
            System.out.printf(Locale.ROOT, "  %-36s %9.1f %9.1f%n", "total", f, b);
            System.out.printf(Locale.ROOT, "  %-36s %9.1f ms per step (wall; the rest is outside every component)%n", "profiled step", r.profileStepMs());
        }
        if (json != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("preset", preset);
            out.put("batch", batch);
            out.put("text_len", textLen);
            if (!generationOnly) {
                out.put("train_step_ms", r.trainStepMs());
                out.put("train_flops_per_step", r.trainFlopsPerStep());
                out.put("train_gflops", r.trainGflops());
                out.put("train_tokens_per_step", r.tokensPerStep());
                out.put("train_tokens_per_s", r.trainTokensPerS());
                out.put("train_allocated_mb", r.trainAllocatedMb());
                out.put("forward_ms", r.forwardMs());
            }
            out.put("image_encode_ms", r.imageEncodeMs());
            out.put("generate_tokens_per_s", r.generateTokensPerS());
            out.put("time_to_first_token_ms", r.timeToFirstTokenMs());
            out.put("peak_rss_mb", r.peakRssMb());
            out.put("threads", Parallel.threads());
            out.put("jdk", jdk);
            if (r.profile() != null) {
                out.put("profile_ms", r.profile());
                out.put("profile_step_ms", r.profileStepMs());
            }
            JsonReport.write(json, out);
        }
        return 0;
    }
}
