package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.bench.MatmulFlops;
import org.seemore.model.Presets;
import org.seemore.model.VlmConfig;

/**
 * {@code seemore bench train} on the tiny preset: every figure, and figures that agree with each
 * other and with the shapes, so that a wrong formula (a rate over the wrong time unit, a FLOP count
 * from the wrong shapes, components counted twice or not divided by the steps) fails.
 */
class BenchTrainCommandTest {
    private static final int BATCH = 2, TEXT = 8;

    @Test
    void reportsEveryFigureConsistentlyAndTheComponentBreakdown(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("bench.json");
        CliRun run = CliRun.of("bench", "train", "--preset", "tiny", "--batch", "" + BATCH, "--text-len", "" + TEXT, "--warmup", "1",
                "--repeats", "2", "--profile", "--json", report.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        for (String key : new String[] {"train_step_ms", "train_flops_per_step", "train_gflops", "train_tokens_per_step", "train_tokens_per_s",
                "forward_ms", "image_encode_ms", "generate_tokens_per_s", "time_to_first_token_ms", "peak_rss_mb", "train_allocated_mb",
                "profile_step_ms"}) {
            assertThat(json.get(key).asDouble()).as(key).isPositive().isFinite();
        }
        double stepMs = json.get("train_step_ms").asDouble(), flops = json.get("train_flops_per_step").asDouble();

        // the counted FLOPs are those of the shapes: dropless routing sends every position to top_k experts in every layer
        VlmConfig c = Presets.get("tiny", 66);
        long positions = (long) BATCH * (c.numVisualTokens() + TEXT);
        assertThat(flops).isEqualTo(MatmulFlops.trainStep(c, BATCH, TEXT, c.language().layers() * positions * c.language().topK()));
        assertThat(json.get("train_gflops").asDouble()).as("GFLOPS = FLOPs per step / seconds per step / 1e9")
                .isCloseTo(flops / (stepMs / 1e3) / 1e9, Percentage.withPercentage(1e-6));
        assertThat(json.get("train_tokens_per_step").asLong()).isEqualTo(positions);
        assertThat(json.get("train_tokens_per_s").asDouble()).as("tokens/s = tokens per step / seconds per step")
                .isCloseTo(positions / (stepMs / 1e3), Percentage.withPercentage(1e-6));
        // no check compares two timings (an inference forward against a step, say): a pause of the
        // shared machine in one of them can turn any such order around

        // the components are disjoint parts of the profiled steps: together at most their wall time
        double profiled = 0;
        for (JsonNode row : json.get("profile_ms")) {
            assertThat(row.get(0).asDouble()).isNotNegative();
            assertThat(row.get(1).asDouble()).isNotNegative();
            profiled += row.get(0).asDouble() + row.get(1).asDouble();
        }
        double wall = json.get("profile_step_ms").asDouble();
        assertThat(profiled).as("profile rows (ms per step) against the profiled step's %.2f ms", wall).isPositive().isLessThanOrEqualTo(wall * 1.001);
        assertThat(json.get("threads").asInt()).isPositive();
        assertThat(json.get("jdk").asText()).isNotBlank();
        assertThat(json.get("profile_ms").fieldNames()).toIterable()
                .contains("data", "vision encoder", "projector", "attention", "moe router", "moe experts", "loss", "optimizer");
        assertThat(run.out()).contains("training step (median)").contains("component (ms per step)").contains("profiled step");
    }

    @Test
    void negativeWarmupIsAUserError() {
        CliRun run = CliRun.of("bench", "train", "--warmup", "-1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--warmup").doesNotContain("Exception");
    }
}
