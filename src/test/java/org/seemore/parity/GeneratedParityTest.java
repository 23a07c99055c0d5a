package org.seemore.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.UserException;
import org.seemore.cli.Main;
import org.seemore.io.Safetensors;
import org.seemore.io.SafetensorsFile;

/**
 * The dumps of {@code scripts/reference} (PyTorch, float64), for what the shared fixtures do not
 * cover: the router z-loss, the expert capacity limit with token dropping, and training steps with
 * gradient accumulation. Same tolerances as {@link ParityTest}; the dumps are committed, so no Python runs here.
 */
class GeneratedParityTest {

    static Path dump(String name) {
        return ParityTestFixtures.path("generated/" + name + ".safetensors");
    }

    private static ParityReport runAndPrint(String name) {
        ParityReport report = ParityRunner.run(dump(name));
        report.lines().forEach(l -> System.out.println(name + ": " + l));
        return report;
    }

    private static void assertAllPass(String name, ParityReport report) {
        assertThat(report.checks()).isNotEmpty();
        for (ParityReport.Check c : report.checks()) assertThat(c.passed()).as(name + ": " + c.line()).isTrue();
        for (ParityReport.Check c : report.gradients()) assertThat(c.passed()).as(name + ": " + c.line()).isTrue();
    }

    private static boolean checked(ParityReport report, String name) {
        return report.checks().stream().anyMatch(c -> c.name().equals(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"moe-zloss", "moe-capacity", "moe-noisy-zloss-capacity"})
    void forwardAndGradientsMatchPyTorch(String name) {
        ParityReport report = runAndPrint(name);
        assertAllPass(name, report);
        assertThat(report.gradients()).hasSize(81);
        // the capacity limit's effect is compared exactly, not only through the logits
        assertThat(checked(report, "output.expert_tokens.0") && checked(report, "output.expert_tokens.1")).isTrue();
        assertThat(checked(report, "output.z_loss")).isEqualTo(name.contains("zloss"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"train-accum", "train-accum-zloss-capacity"})
    void trainingWithGradientAccumulationMatchesPyTorch(String name) {
        ParityReport report = runAndPrint(name);
        assertAllPass(name, report);
        assertThat(checked(report, "output.grad_norms")).isTrue();
        assertThat(report.checks().stream().filter(c -> c.name().startsWith("final."))).hasSize(81);
    }

    @Test
    void theAccumulatedDumpFailsWhenItsMicroBatchesRunAsOneBatch(@TempDir Path tmp) {
        // one batch of 6 rows is a different objective than the mean of three 2-row micro-batches'
        // means (their padding differs), so the dump pins how the micro-batch losses are combined
        Path asOne = withMetadata(dump("train-accum"), tmp.resolve("one.safetensors"), "grad_accum", "1");
        ParityReport report = ParityRunner.run(asOne);
        assertThat(report.passed()).isFalse();
        assertThat(report.lines()).anyMatch(l -> l.startsWith("output.losses") && l.contains("FAIL"));
    }

    @Test
    void theZLossDumpFailsWithoutTheZLoss(@TempDir Path tmp) {
        SafetensorsFile f = SafetensorsFile.read(dump("moe-zloss"));
        String config = f.metadata().get("config").replace("\"router_z_loss_coef\": 0.01", "\"router_z_loss_coef\": 0.0");
        Path without = withMetadata(dump("moe-zloss"), tmp.resolve("noz.safetensors"), "config", config);
        ParityReport report = ParityRunner.run(without);
        assertThat(report.passed()).isFalse();
        assertThat(report.lines()).anyMatch(l -> l.startsWith("output.z_loss") && l.contains("FAIL"));
        assertThat(report.lines()).anyMatch(l -> l.startsWith("output.loss ") && l.contains("FAIL"));
    }

    @Test
    void theCapacityDumpFailsWhenNothingIsDropped(@TempDir Path tmp) {
        SafetensorsFile f = SafetensorsFile.read(dump("moe-capacity"));
        String config = f.metadata().get("config").replace("\"capacity_factor\": 1.0", "\"capacity_factor\": 0.0");
        ParityReport report = ParityRunner.run(withMetadata(dump("moe-capacity"), tmp.resolve("dropless.safetensors"), "config", config));
        assertThat(report.passed()).isFalse();
        assertThat(report.lines()).anyMatch(l -> l.startsWith("output.expert_tokens.0") && l.contains("entries differ"));
        assertThat(report.lines()).anyMatch(l -> l.startsWith("output.logits") && l.contains("FAIL"));
    }

    @Test
    void aGradAccumThatIsNotAPositiveIntegerOrDoesNotDivideTheRowsIsAOneLineError(@TempDir Path tmp) {
        Path word = withMetadata(dump("train-accum"), tmp.resolve("word.safetensors"), "grad_accum", "three");
        assertThatThrownBy(() -> ParityRunner.run(word)).isInstanceOf(UserException.class)
                .hasMessage(word + ": __metadata__.grad_accum must be a positive integer, got 'three'");
        Path four = withMetadata(dump("train-accum"), tmp.resolve("four.safetensors"), "grad_accum", "4");
        assertThatThrownBy(() -> ParityRunner.run(four)).isInstanceOf(UserException.class)
                .hasMessage(four + ": 6 input rows do not split into grad_accum 4 micro-batches");
        assertThat(Main.execute("parity", four.toString())).isNotZero();
    }

    /** A copy of {@code source} with one metadata entry replaced. */
    private static Path withMetadata(Path source, Path target, String key, String value) {
        SafetensorsFile f = SafetensorsFile.read(source);
        Map<String, String> meta = new LinkedHashMap<>(f.metadata());
        meta.put(key, value);
        Safetensors.write(target, meta, f.tensors());
        return target;
    }
}
