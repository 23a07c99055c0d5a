package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code seemore bench train} on the tiny preset: every figure the issue asks for, and the profile's rows. */
class BenchTrainCommandTest {

    @Test
    void reportsEveryFigureAndTheComponentBreakdown(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("bench.json");
        CliRun run = CliRun.of("bench", "train", "--preset", "tiny", "--batch", "2", "--text-len", "8", "--warmup", "1",
                "--repeats", "2", "--profile", "--json", report.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        for (String key : new String[] {"train_step_ms", "train_gflops", "forward_ms", "image_encode_ms", "generate_tokens_per_s",
                "time_to_first_token_ms", "peak_rss_mb", "train_allocated_mb"}) {
            assertThat(json.get(key).asDouble()).as(key).isPositive().isFinite();
        }
        assertThat(json.get("threads").asInt()).isPositive();
        assertThat(json.get("jdk").asText()).isNotBlank();
        assertThat(json.get("profile_ms").fieldNames()).toIterable()
                .contains("data", "vision encoder", "projector", "attention", "moe router", "moe experts", "loss", "optimizer");
        assertThat(run.out()).contains("training step (median)").contains("component (ms per step)");
    }

    @Test
    void negativeWarmupIsAUserError() {
        CliRun run = CliRun.of("bench", "train", "--warmup", "-1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--warmup").doesNotContain("Exception");
    }
}
