package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code seemore bench kernels} on small inputs: every kernel on both thread counts, figures that agree with each other. */
class BenchKernelsCommandTest {

    @Test
    void timesEveryKernelOnOneAndTwoThreadsWithConsistentFigures(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("kernels.json");
        CliRun run = CliRun.of("bench", "kernels", "--elements", "4096", "--batch", "1", "--warmup", "0", "--repeats", "1",
                "--threads", "2", "--json", report.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode rows = new ObjectMapper().readTree(report.toFile());
        Set<String> kernels = new HashSet<>();
        for (JsonNode row : rows) {
            String kernel = row.get("kernel").asText();
            kernels.add(kernel);
            assertThat(row.get("threads").asInt()).as(kernel).isIn(1, 2);
            double ms = row.get("ms_per_call").asDouble(), ns = row.get("ns_per_element").asDouble();
            long elements = row.get("elements").asLong();
            assertThat(ms).as(kernel).isPositive();
            assertThat(ns * elements).as("%s: ns per element x elements = ns per call", kernel).isCloseTo(ms * 1e6, Offset.offset(ms * 1e6 * 1e-9));
            assertThat(row.get("bytes_per_element").asDouble()).as(kernel).isNotNegative().isFinite();
            if (!kernel.startsWith("attention")) assertThat(elements).as(kernel).isBetween(4000L, 4096L);
        }
        assertThat(kernels).hasSize(26).contains("gelu", "layerNorm backward", "softmax, causal", "dropout",
                "attention fwd+bwd, decoder B=1 T=65 H=8 hd=16 causal", "rmsNorm backward", "rope, 8 heads of 64", "silu backward", "gelu tanh",
                "attention fwd+bwd, GQA B=1 T=128 H=9 KV=3 hd=64 causal padded", "attention, one decoding position, H=9 KV=3 hd=64 over 1024");
        assertThat(rows).hasSize(2 * kernels.size());
        assertThat(run.out()).contains("ns/elem").contains("wrote");
    }

    @Test
    void badCountsAreUserErrorsNamingTheFlag() {
        for (String[] args : new String[][] {{"--elements", "0"}, {"--threads", "0"}, {"--warmup", "-1"}, {"--batch", "0"}, {"--repeats", "0"}}) {
            CliRun run = CliRun.of("bench", "kernels", args[0], args[1]);
            assertThat(run.exitCode()).as(args[0]).isEqualTo(2);
            assertThat(run.err()).contains(args[0]).doesNotContain("Exception");
        }
    }
}
