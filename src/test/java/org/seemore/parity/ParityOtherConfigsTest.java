package org.seemore.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.cli.Main;
import org.seemore.io.Safetensors;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;
import org.seemore.model.VlmConfig;
import org.seemore.model.decoder.DecoderConfig;
import org.seemore.model.moe.MoeConfig;
import org.seemore.model.projector.MlpProjectorConfig;
import org.seemore.model.vision.VitConfig;
import org.seemore.model.vision.VitConfig.ImageTokens;

/**
 * The parity runner reads any config from a dump's metadata: other widths, heads, top-k of 1 and 3,
 * patches with noise. (The dumps here are written by the Java model, so they test the runner's
 * generality; agreement with PyTorch itself is {@link ParityTest}'s job.) A dump that disagrees fails.
 */
class ParityOtherConfigsTest {

    @Test
    void runsDumpsOfOtherSizesAndSettings(@TempDir Path tmp) {
        VlmConfig[] configs = {
                config(new VitConfig(24, 6, 48, 3, 1, ImageTokens.CLS), new DecoderConfig(24, 3, 3, 17, 40, MoeConfig.of(5, 1).withAuxLossCoef(0.02))),
                patches(),
        };
        int i = 0;
        for (VlmConfig c : configs) {
            for (boolean noisy : new boolean[] {false, true}) {
                Path dump = tmp.resolve("dump" + i++ + ".safetensors");
                DumpWriter.write(dump, c, noisy, 40 + i);
                ParityReport report = ParityRunner.run(dump);
                assertThat(report.mode()).isEqualTo(noisy ? "noisy" : "eval");
                assertThat(report.gradients()).hasSize(countParams(dump));
                assertThat(report.passed()).as(String.join("\n", report.lines())).isTrue();
                assertThat(Main.execute("parity", dump.toString())).isZero();
            }
        }
    }

    @Test
    void aDumpThatDisagreesFailsAndNamesTheOutput(@TempDir Path tmp) throws Exception {
        VlmConfig c = patches();
        Path dump = tmp.resolve("good.safetensors"), bad = tmp.resolve("bad.safetensors");
        DumpWriter.write(dump, c, true, 7);
        SafetensorsFile f = SafetensorsFile.read(dump);
        List<StoredTensor> tensors = new ArrayList<>();
        for (StoredTensor t : f.tensors()) {
            if (t.name().equals("output.logits")) {
                float[] v = t.toFloats();
                v[5] += 1e-3f;
                tensors.add(StoredTensor.ofFloats(t.name(), t.shape(), v));
            } else {
                tensors.add(t);
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(f.metadata());
        Safetensors.write(bad, meta, tensors);
        ParityReport report = ParityRunner.run(bad);
        assertThat(report.passed()).isFalse();
        assertThat(report.lines()).anyMatch(l -> l.startsWith("output.logits") && l.contains("FAIL"));
        assertThat(Main.execute("parity", bad.toString())).isEqualTo(1);
    }

    private static VlmConfig patches() {
        return config(new VitConfig(16, 4, 40, 5, 2, ImageTokens.PATCHES), new DecoderConfig(30, 6, 2, 11, 40, MoeConfig.of(6, 3)));
    }

    private static VlmConfig config(VitConfig vision, DecoderConfig decoder) {
        return new VlmConfig(vision, MlpProjectorConfig.DEFAULT, decoder, 0);
    }

    private static int countParams(Path dump) {
        return (int) SafetensorsFile.read(dump).names().stream().filter(n -> n.startsWith("grad.")).count();
    }
}
