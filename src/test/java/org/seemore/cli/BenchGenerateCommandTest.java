package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.io.HfFixtures;
import org.seemore.tensor.kernels.Parallel;

/** {@code seemore bench generate} on the tiny llama fixture's shape and weights: its figures, its report, its one-line errors. */
class BenchGenerateCommandTest {
    private static final Path LLAMA = HfFixtures.model("llama");

    @Test
    void randomWeightsOfAConfigReportEveryFigure(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("generate.json");
        CliRun run = generate("--config", LLAMA.resolve("config.json").toString(), "--dtype", "bf16", "--prompt-tokens", "24",
                    "--batch-prompt-tokens", "5", "--new-tokens", "4", "--threads", "1", "--repeats", "3", "--json", report.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("random weights", "prefill, 24 tokens", "time to first token", "decode, batch 1", "decode, batch 8", "peak RSS");
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        for (String key : new String[] {"prefill_tokens_per_s", "time_to_first_token_ms", "decode_tokens_per_s_batch1", "decode_tokens_per_s_batch8",
                "prefill_tokens_per_s_batch8"}) {
            assertThat(json.get(key).asDouble()).as(key).isPositive().isFinite();
        }
        assertThat(json.get("peak_rss_mb").asDouble()).isPositive();
        assertThat(json.get("repeats").asInt()).isEqualTo(3);
        assertThat(run.out()).contains("medians of 3 runs");
        double median = json.get("decode_tokens_per_s_batch1").asDouble();
        assertThat(json.get("decode_tokens_per_s_batch1_min").asDouble()).isPositive().isLessThanOrEqualTo(median);
        assertThat(json.get("decode_tokens_per_s_batch1_max").asDouble()).isGreaterThanOrEqualTo(median);
        assertThat(json.get("threads").asInt()).isEqualTo(1);
        assertThat(json.get("dtype").asText()).isEqualTo("bf16");
        // vocab 512 x 64 (tied) + 2 layers of 4 matrices of 64 x 64 (q, o; k, v are 32 x 64) and 3 of 160 x 64, in 2 bytes; norms in 4
        long matrices = 512L * 64 + 2 * (2 * 64 * 64 + 2 * 32 * 64 + 3 * 160 * 64), norms = 64 + 2 * 2 * 64;
        assertThat(json.get("weights_mb").asDouble() * 1e6).isCloseTo(2 * matrices + 4 * norms, org.assertj.core.data.Offset.offset(0.5));
    }

    @Test
    void aModelDirectoryLoadsItsCheckpointInFloat32() {
        CliRun run = generate("--model", LLAMA.toString(), "--dtype", "f32", "--prompt-tokens", "20", "--batch-prompt-tokens", "3",
                    "--new-tokens", "3", "--threads", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(LLAMA.toString(), "f32", "2 threads");
    }

    @Test
    void aMixtralConfigDecodesThroughItsExperts(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("generate.json");
        CliRun run = generate("--config", HfFixtures.model("mixtral").resolve("config.json").toString(), "--dtype", "f32",
                    "--prompt-tokens", "20", "--batch-prompt-tokens", "3", "--new-tokens", "3", "--threads", "1", "--json", report.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        // vocab 512 x 64 twice (untied) + 2 layers of q, o (64 x 64), k, v (32 x 64), a router (8 x 64) and 8 experts of 3 x 96 x 64, in 4 bytes; norms
        long matrices = 2 * 512L * 64 + 2 * (2 * 64 * 64 + 2 * 32 * 64 + 8 * 64 + 8 * 3 * 96 * 64), norms = 64 + 2 * 2 * 64;
        assertThat(run.out()).contains("random weights", "decode, batch 8");
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.get("weights_mb").asDouble() * 1e6).isCloseTo(4 * (matrices + norms), org.assertj.core.data.Offset.offset(0.5));
        assertThat(json.get("decode_tokens_per_s_batch8").asDouble()).isPositive().isFinite();
    }

    @Test
    void badFlagsAndInputsAreOneLineErrors(@TempDir Path dir) throws Exception {
        String config = LLAMA.resolve("config.json").toString();
        Path notJson = Files.writeString(dir.resolve("config.json"), "{not json");
        String[][] cases = {
                {"--config", config, "--dtype", "f16"},
                {"--config", config, "--new-tokens", "0"},
                {"--config", config, "--prompt-tokens", "-1"},
                {"--config", config, "--batch-prompt-tokens", "0"},
                {"--config", config, "--repeats", "0"},
                {"--config", config, "--prompt-tokens", "120", "--new-tokens", "9"},
                {"--config", config, "--threads", "0"},
                {"--config", dir.resolve("missing.json").toString()},
                {"--config", notJson.toString()},
                {"--config", HfFixtures.model("clip-vision").resolve("config.json").toString()},
                {"--model", dir.toString()},
                {"--model", LLAMA.toString(), "--config", config},
                {"--dtype", "bf16"},
        };
        for (String[] args : cases) {
            CliRun run = generate(args);
            String what = String.join(" ", args);
            assertThat(run.exitCode()).as(what + ": " + run.err()).isEqualTo(2);
            assertThat(run.err().strip().lines().count()).as(what + ": " + run.err()).isEqualTo(1);
            assertThat(run.err()).as(what).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    /** {@code seemore bench generate ARGS}, the kernel thread count restored after (--threads sets it for the whole JVM). */
    private static CliRun generate(String... args) {
        int before = Parallel.threads();
        try {
            String[] full = new String[args.length + 2];
            full[0] = "bench";
            full[1] = "generate";
            System.arraycopy(args, 0, full, 2, args.length);
            return CliRun.of(full);
        } finally {
            Parallel.setThreads(before);
        }
    }
}
