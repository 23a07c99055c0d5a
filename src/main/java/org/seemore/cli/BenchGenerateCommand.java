package org.seemore.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seemore.UserException;
import org.seemore.bench.GenerateBenchmark;
import org.seemore.model.hf.Architecture;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelConfig;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.hf.LlavaConfig;
import org.seemore.model.llama.LlamaWeights;
import org.seemore.tensor.kernels.Parallel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seemore bench generate}: prefill and decoding speed of a Hugging Face Llama, Qwen2 or
 * Mixtral decoder (a model directory, or random weights shaped by a config.json), through the inference
 * path that does not build the autodiff graph.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time a Llama, Qwen2 or Mixtral decoder: the prefill of one prompt, the time to the first token,",
                "greedy decoding with a KV cache at batch 1 and batch 8, peak resident memory and the weights' bytes.",
                "--config builds random weights (seeded) of that config.json's shape: no checkpoint needed."})
public final class BenchGenerateCommand implements Callable<Integer> {

    /** Where the weights come from: exactly one. */
    static final class Source {
        @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face model directory (LlamaForCausalLM, Qwen2ForCausalLM, MixtralForCausalLM, or a LLaVA's language model).")
        Path model;

        @Option(names = "--config", paramLabel = "FILE", description = "A config.json: random weights of its shape (e.g. bench/configs/smollm2-135m.json).")
        Path config;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--dtype", paramLabel = "f32|bf16", description = "Weights in memory: float32, or bfloat16 widened in the kernels (default: ${DEFAULT-VALUE}).",
            defaultValue = "bf16")
    String dtype;

    @Option(names = "--prompt-tokens", paramLabel = "N", description = "Prompt of the batch-1 run, its prefill timed (default: ${DEFAULT-VALUE}).", defaultValue = "512")
    int promptTokens;

    @Option(names = "--batch-prompt-tokens", paramLabel = "N", description = "Prompt of each of the 8 sequences of the batch-8 run (default: ${DEFAULT-VALUE}).",
            defaultValue = "64")
    int batchPromptTokens;

    @Option(names = "--new-tokens", paramLabel = "N", description = "Tokens decoded per sequence (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int newTokens;

    @Option(names = "--repeats", paramLabel = "N", description = "Timed runs of each batch size; each figure is their median (default: ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int repeats;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random weights and prompts (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all cores).")
    Integer threads;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    @Override
    public Integer call() {
        LlamaWeights.Precision precision = CliSupport.parse("--dtype", () -> LlamaWeights.Precision.parse(dtype));
        if (promptTokens < 1) throw new UserException("--prompt-tokens must be at least 1, got " + promptTokens);
        if (batchPromptTokens < 1) throw new UserException("--batch-prompt-tokens must be at least 1, got " + batchPromptTokens);
        if (newTokens < 1) throw new UserException("--new-tokens must be at least 1, got " + newTokens);
        if (repeats < 1) throw new UserException("--repeats must be at least 1, got " + repeats);
        if (threads != null) Threads.set(threads);
        if (json != null) JsonReport.checkWritable(json);
        DecoderConfig config;
        LlamaWeights weights;
        long start = System.nanoTime();
        if (source.config != null) {
            config = decoder(HfModelConfig.readFile(source.config), "--config " + source.config);
            checkLength(config);
            weights = LlamaWeights.random(config, precision, seed);
        } else {
            HfModelDirectory dir = HfModelDirectory.open(source.model);
            config = decoder(dir.config(), "--model " + source.model);
            checkLength(config);
            weights = LlamaWeights.load(config, dir.weights(), dir.architecture() == Architecture.LLAVA ? "language_model." : "", precision);
        }
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        GenerateBenchmark.Result r = GenerateBenchmark.run(weights, new GenerateBenchmark.Settings(promptTokens, batchPromptTokens, newTokens, seed, repeats));
        String what = source.config != null ? source.config + " (random weights)" : source.model.toString();
        System.out.printf(Locale.ROOT, "seemore bench generate: %s, %s, %d layers, hidden %d, %d threads, JDK %s%n", what, dtype,
                config.numHiddenLayers(), config.hiddenSize(), Parallel.threads(), Runtime.version());
        System.out.printf(Locale.ROOT, "  medians of %d runs each%n", repeats);
        System.out.printf(Locale.ROOT, "  %-36s %10.0f MB (%.1f s to %s)%n", "weights in memory", weights.bytes() / 1e6, loadSeconds,
                source.config != null ? "draw" : "load");
        System.out.printf(Locale.ROOT, "  %-36s %10.1f tokens/s%n", "prefill, " + promptTokens + " tokens", r.prefillTokensPerS());
        System.out.printf(Locale.ROOT, "  %-36s %10.1f ms%n", "time to first token", r.timeToFirstTokenMs());
        System.out.printf(Locale.ROOT, "  %-36s %10.1f tokens/s (%.1f-%.1f)%n", "decode, batch 1", r.decodeTokensPerS(), r.decodeTokensPerSMin(),
                r.decodeTokensPerSMax());
        System.out.printf(Locale.ROOT, "  %-36s %10.1f tokens/s%n", "decode, batch " + GenerateBenchmark.BATCH, r.batchDecodeTokensPerS());
        System.out.printf(Locale.ROOT, "  %-36s %10.0f MB%n", "peak RSS", r.peakRssMb());
        System.out.printf(Locale.ROOT, "  %-36s %10.1f / %.1f / %.1f tokens per CPU second%n", "prefill / decode 1 / decode 8",
                r.prefillTokensPerCpuS(), r.decodeTokensPerCpuS(), r.batchDecodeTokensPerCpuS());
        if (json != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", what);
            out.put("dtype", dtype);
            out.put("threads", Parallel.threads());
            out.put("prompt_tokens", promptTokens);
            out.put("batch_prompt_tokens", batchPromptTokens);
            out.put("new_tokens", newTokens);
            out.put("repeats", repeats);
            out.put("weights_mb", weights.bytes() / 1e6);
            out.put("load_s", loadSeconds);
            out.putAll(r.toMap());
            out.put("jdk", Runtime.version().toString());
            JsonReport.write(json, out);
        }
        return 0;
    }

    /** The decoder of a config, or one line naming the flag. */
    private static DecoderConfig decoder(HfModelConfig config, String flag) {
        DecoderConfig d = switch (config.config()) {
            case DecoderConfig c -> c;
            case LlavaConfig l -> l.text();
            default -> throw new UserException(flag + ": a " + config.architecture().className
                    + ", not a language model (LlamaForCausalLM, Qwen2ForCausalLM or MixtralForCausalLM)");
        };
        if (d.slidingWindow().isPresent()) throw new UserException(flag + ": sliding-window attention is not supported");
        if (d.hiddenAct() != org.seemore.model.hf.Activation.SILU || d.mlpBias()) throw new UserException(flag + ": only a SiLU MLP without biases is supported");
        return d;
    }

    private void checkLength(DecoderConfig config) {
        int longest = Math.max(promptTokens, batchPromptTokens) + newTokens;
        if (longest > config.maxPositionEmbeddings()) {
            throw new UserException("--prompt-tokens/--batch-prompt-tokens plus --new-tokens make " + longest + " positions; the model has "
                    + config.maxPositionEmbeddings() + " (max_position_embeddings)");
        }
    }
}
