package org.seemore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.image.RgbImage;
import org.seemore.data.synth.ShapesConfig;
import org.seemore.data.synth.ShapesDataset;
import org.seemore.data.synth.Split;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SynthCommandTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void writesImagesAndManifestsForEverySplit(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("shapes");

        int exitCode = Main.execute("synth", "--out", out.toString(), "--count", "20");

        assertThat(exitCode).isZero();
        Map<Split, Integer> expected = Map.of(Split.TRAIN, 20, Split.VALIDATION, 4, Split.TEST, 4, Split.HELDOUT, 4);
        for (Map.Entry<Split, Integer> entry : expected.entrySet()) {
            Split split = entry.getKey();
            List<String> lines = Files.readAllLines(out.resolve(split.id() + ".jsonl"));
            assertThat(lines).as(split.id() + ".jsonl").hasSize(entry.getValue());
            try (var images = Files.list(out.resolve(split.id()))) {
                assertThat(images.count()).isEqualTo(entry.getValue().longValue());
            }
            for (int index = 0; index < lines.size(); index++) {
                JsonNode line = json.readTree(lines.get(index));
                ShapesDataset.Sample sample = ShapesDataset.sample(ShapesConfig.defaults(), split, index);
                assertThat(line.get("image").asText()).isEqualTo(String.format("%s/%06d.png", split.id(), index));
                assertThat(line.get("caption").asText()).isEqualTo(sample.scene().caption());
                BufferedImage png = ImageIO.read(out.resolve(line.get("image").asText()).toFile());
                assertThat(rgb(png)).as("PNG is lossless").isEqualTo(sample.image().rgb());
            }
        }
        JsonNode description = json.readTree(out.resolve("dataset.json").toFile());
        assertThat(description.get("imageSize").asInt()).isEqualTo(ShapesConfig.DEFAULT_IMAGE_SIZE);
        assertThat(description.get("heldoutPairs").toString()).contains("yellow circle");
    }

    @Test
    void writesOneSplitAtTheRequestedSizeAndSeed(@TempDir Path tmp) throws IOException {
        int exitCode = Main.execute("synth", "--out", tmp.toString(), "--count", "3", "--split", "heldout",
                "--image-size", "48", "--seed", "9");

        assertThat(exitCode).isZero();
        assertThat(Files.exists(tmp.resolve("train.jsonl"))).isFalse();
        List<String> lines = Files.readAllLines(tmp.resolve("heldout.jsonl"));
        assertThat(lines).hasSize(3);
        RgbImage expected = ShapesDataset.sample(new ShapesConfig(48, 9), Split.HELDOUT, 2).image();
        BufferedImage png = ImageIO.read(tmp.resolve("heldout/000002.png").toFile());
        assertThat(png.getWidth()).isEqualTo(48);
        assertThat(rgb(png)).isEqualTo(expected.rgb());
    }

    @Test
    void refusesANonEmptyDirectoryUnlessForced(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("notes.txt"), "keep me");

        Result refused = run("synth", "--out", tmp.toString(), "--count", "2");

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("--out").contains(tmp.toString()).contains("--force");
        assertThat(Files.exists(tmp.resolve("train.jsonl"))).isFalse();

        assertThat(Main.execute("synth", "--out", tmp.toString(), "--count", "2", "--force")).isZero();
        assertThat(Files.readAllLines(tmp.resolve("train.jsonl"))).hasSize(2);
        assertThat(Files.readString(tmp.resolve("notes.txt"))).isEqualTo("keep me");
    }

    @Test
    void badFlagsAreNamedAndWriteNothing(@TempDir Path tmp) {
        Path out = tmp.resolve("never");

        assertThat(run("synth", "--out", out.toString(), "--count", "-5").err()).contains("--count");
        assertThat(run("synth", "--out", out.toString(), "--count", "0").exitCode()).isEqualTo(2);
        assertThat(run("synth", "--out", out.toString(), "--image-size", "8").err()).contains("--image-size");
        assertThat(run("synth", "--out", out.toString(), "--split", "dev").err()).contains("--split");
        assertThat(run("synth", "--out", out.toString(), "--seed", "abc").exitCode()).isEqualTo(2);
        assertThat(Files.exists(out)).isFalse();
    }

    private record Result(int exitCode, String err) {}

    /** Runs the CLI with stderr captured (picocli writes user errors there). */
    private static Result run(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int exitCode = Main.execute(args);
            return new Result(exitCode, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }

    private static byte[] rgb(BufferedImage png) {
        byte[] rgb = new byte[png.getWidth() * png.getHeight() * 3];
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                int pixel = png.getRGB(x, y);
                int offset = (y * png.getWidth() + x) * 3;
                rgb[offset] = (byte) (pixel >> 16);
                rgb[offset + 1] = (byte) (pixel >> 8);
                rgb[offset + 2] = (byte) pixel;
            }
        }
        return rgb;
    }

    @Test
    void theDefaultImageSizeIsTheDemoModelsInputSize(@TempDir Path tmp) throws IOException {
        int exitCode = Main.execute("synth", "--out", tmp.toString(), "--count", "1", "--split", "test");

        assertThat(exitCode).isZero();
        int small = org.seemore.model.Presets.get("small", 4).imageSize();
        assertThat(ShapesConfig.DEFAULT_IMAGE_SIZE).isEqualTo(small).isEqualTo(48);
        BufferedImage png = ImageIO.read(tmp.resolve("test/000000.png").toFile());
        assertThat(png.getWidth()).isEqualTo(small);
        assertThat(png.getHeight()).isEqualTo(small);
    }
}
