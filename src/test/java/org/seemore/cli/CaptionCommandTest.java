package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** caption: one bad image among several, --skip-bad, --json, and warnings about images the model will see distorted. */
class CaptionCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path good1, good2, text, missing, wide, dot;

    @BeforeAll
    static void saveATinyModelAndDrawImages() throws IOException {
        model = TinyModels.save(tmp.resolve("model"));
        good1 = png("good1.png", 40, 40);
        good2 = png("good2.png", 32, 32);
        wide = png("wide.png", 300, 20);
        dot = png("dot.png", 1, 1);
        text = Files.writeString(tmp.resolve("notes.png"), "not an image");
        missing = tmp.resolve("missing.png");
    }

    private static Path png(String name, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) image.setRGB(x, y, (x * 7 & 0xFF) << 16 | (y * 5 & 0xFF) << 8 | 60);
        Path file = tmp.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static CliRun caption(Object... args) {
        String[] all = new String[args.length + 5];
        all[0] = "caption";
        all[1] = "--model";
        all[2] = model.toString();
        all[3] = "--max-tokens";
        all[4] = "8";
        for (int i = 0; i < args.length; i++) all[5 + i] = args[i].toString();
        return CliRun.of(all);
    }

    @Test
    void anUnreadableImageIsReportedAndTheOthersAreCaptioned() {
        CliRun run = caption(good1, text, missing, good2);

        assertThat(run.exitCode()).isEqualTo(1);
        List<String> out = run.out().lines().toList();
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).startsWith(good1 + ": ");
        assertThat(out.get(1)).startsWith(good2 + ": ");
        assertThat(run.err().lines().toList()).containsExactly(
                "seemore caption: " + text + ": not a PNG, JPEG, GIF or BMP image (unrecognised header bytes)",
                "seemore caption: " + missing + ": image file not found");
    }

    @Test
    void jsonOutputHasAnErrorObjectInPlaceOfTheBadImage() throws IOException {
        CliRun run = caption("--json", good1, text, good2);

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode list = new ObjectMapper().readTree(run.out());
        assertThat(list).hasSize(3);
        assertThat(list.get(0).get("image").asText()).isEqualTo(good1.toString());
        assertThat(list.get(0).has("caption")).isTrue();
        assertThat(list.get(1).get("image").asText()).isEqualTo(text.toString());
        assertThat(list.get(1).has("caption")).isFalse();
        assertThat(list.get(1).get("error").asText()).isEqualTo("not a PNG, JPEG, GIF or BMP image (unrecognised header bytes)");
        assertThat(list.get(2).get("image").asText()).isEqualTo(good2.toString());
        assertThat(run.err()).contains(text.toString());
    }

    @Test
    void skipBadWarnsAndExitsZero() throws IOException {
        CliRun run = caption("--skip-bad", "--json", good1, text, good2);

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode list = new ObjectMapper().readTree(run.out());
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("image").asText()).isEqualTo(good1.toString());
        assertThat(list.get(1).get("image").asText()).isEqualTo(good2.toString());
        assertThat(run.err().lines().toList()).containsExactly(
                "seemore caption: skipped " + text + ": not a PNG, JPEG, GIF or BMP image (unrecognised header bytes)");
    }

    @Test
    void skipBadStillFailsWhenNoImageIsLeft() {
        CliRun run = caption("--skip-bad", text, missing);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(text.toString()).contains(missing.toString());
    }

    @Test
    void imagesTheModelSeesDistortedGetAOneLineWarning() {
        CliRun run = caption(good1, wide, dot);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines()).hasSize(3);
        List<String> warnings = run.err().lines().toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).startsWith("seemore caption: warning: " + wide + ": 300x20 pixels, resized to 32x32")
                .contains("aspect ratio 15:1");
        assertThat(warnings.get(1)).startsWith("seemore caption: warning: " + dot + ": 1x1 pixels, resized to 32x32")
                .contains("enlarged 32x");
    }

    @Test
    void helpSaysWhatHappensToTheImage() {
        CliRun run = CliRun.of("caption", "--help");

        assertThat(run.exitCode()).isZero();
        String help = run.out().replaceAll("\\s+", " ");
        assertThat(help).contains("without keeping its aspect ratio").contains("alpha").contains("first frame")
                .contains("--skip-bad").contains("Exit status");
    }
}
