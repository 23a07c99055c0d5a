package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How train and eval check their data before any work: bad records, too-long captions, splits. */
class DataChecksCliTest {
    @TempDir
    Path tmp;

    static String pngBase64(int seed) throws IOException {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) image.setRGB(x, y, (seed * 40 + x * 30) << 16 | (y * 30) << 8 | 90);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** A CSV of {@code good} images with captions "caption N", and on line 3 base64 text that is not a usable image. */
    private Path csvWithATextRecord(int good) throws IOException {
        StringBuilder csv = new StringBuilder("b64string_images,caption\n");
        for (int i = 0; i < good; i++) {
            csv.append(pngBase64(i)).append(",caption ").append(i).append('\n');
            if (i == 0) csv.append(Base64.getEncoder().encodeToString("just some text".getBytes())).append(",not an image\n");
        }
        return Files.writeString(tmp.resolve("bad.csv"), csv.toString());
    }

    private static void assertOneLine(CliRun run, String... fragments) {
        assertThat(run.exitCode()).as(run.err()).isNotZero();
        assertThat(run.err().strip()).doesNotContain("\n").doesNotContain("Exception");
        for (String f : fragments) assertThat(run.err()).contains(f);
    }

    private static long filesIn(Path dir) throws IOException {
        if (!Files.exists(dir)) return 0;
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void trainStopsOnBase64ThatIsNotAnImageBeforeWritingAnythingAndSkipsItWithSkipBad() throws IOException {
        Path data = csvWithATextRecord(4), run = tmp.resolve("run");
        String[] train = {"train", "--data", data.toString(), "--out", run.toString(), "--preset", "tiny", "--steps", "1",
                "--batch-size", "2", "--eval-limit", "1", "--threads", "1"};

        CliRun refused = CliRun.of(train);
        assertOneLine(refused, data + ":3: 'b64string_images' is not a usable image");
        assertThat(refused.out()).doesNotContain("parameters");   // no model was built
        assertThat(filesIn(run)).isZero();

        String[] skipping = Stream.concat(Stream.of(train), Stream.of("--skip-bad")).toArray(String[]::new);
        CliRun skipped = CliRun.of(skipping);   // the same --out: nothing of the failed run is in the way
        assertThat(skipped.exitCode()).as(skipped.err()).isZero();
        assertThat(skipped.err()).contains("skipped 1 bad record").contains(data + ":3");
    }

    @Test
    void evalStopsOnBase64ThatIsNotAnImageAndSkipsItWithSkipBad() throws IOException {
        Path data = csvWithATextRecord(3), run = TinyModels.save(tmp.resolve("model"));

        assertOneLine(CliRun.of("eval", "--model", run.toString(), "--data", data.toString()), data + ":3: 'b64string_images' is not a usable image");
        CliRun skipped = CliRun.of("eval", "--model", run.toString(), "--data", data.toString(), "--skip-bad");
        assertThat(skipped.exitCode()).as(skipped.err()).isZero();
        assertThat(skipped.err()).contains("skipped 1 bad record");
        assertThat(skipped.out()).contains("(3 records)");
    }

    private Path csv(String name, int records) throws IOException {
        StringBuilder csv = new StringBuilder("b64string_images,caption\n");
        String image = pngBase64(1);
        for (int i = 0; i < records; i++) csv.append(image).append(",caption ").append(i).append('\n');
        return Files.writeString(tmp.resolve(name), csv.toString());
    }

    private CliRun trainOneStep(Path data, String out, String... more) {
        String[] args = {"train", "--data", data.toString(), "--out", tmp.resolve(out).toString(), "--preset", "tiny",
                "--steps", "1", "--batch-size", "2", "--eval-limit", "1", "--threads", "1"};
        return CliRun.of(Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new));
    }

    @Test
    void aTinyDatasetIsNotSplitAndTheRunSaysHowTheValidationSetWasChosen() throws IOException {
        CliRun tiny = trainOneStep(csv("five.csv", 5), "run5");
        assertThat(tiny.exitCode()).as(tiny.err()).isZero();
        assertThat(tiny.out()).contains("validation: none: 5 records are fewer than the 100 needed to hold out 5%")
                .contains("5 training and 0 validation records");

        CliRun enough = trainOneStep(csv("hundred.csv", 120), "run120");
        assertThat(enough.exitCode()).as(enough.err()).isZero();
        assertThat(enough.out()).contains("validation: 5% of the data held out = 6 records; train on 114")
                .contains("114 training and 6 validation records");
    }

    @Test
    void evalOnTheSyntheticSetWithoutASplitUsesTheTestSplitAndSaysSo() throws IOException {
        Path model = TinyModels.save(tmp.resolve("model"));
        double[] losses = new double[3];
        String[] specs = {"synthetic:shapes", "synthetic:shapes:test", "synthetic:shapes:train"};
        for (int i = 0; i < specs.length; i++) {
            Path report = tmp.resolve("eval" + i + ".json");
            CliRun run = CliRun.of("eval", "--model", model.toString(), "--data", specs[i], "--synthetic-count", "20",
                    "--limit", "2", "--json", report.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            if (i == 0) assertThat(run.out()).contains("data: synthetic:shapes:test (the test split");
            losses[i] = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.toFile()).get("loss").asDouble();
        }
        assertThat(losses[0]).isEqualTo(losses[1]);
        assertThat(losses[0]).isNotEqualTo(losses[2]);
    }

    @Test
    void captionsLongerThanThePositionTableAreCountedInTrainAndEval() throws IOException {
        StringBuilder csv = new StringBuilder("b64string_images,caption\n");
        String image = pngBase64(2);
        for (int i = 0; i < 5; i++) csv.append(image).append(',').append(i % 2 == 1 ? "a".repeat(200) : "caption " + i).append('\n');
        Path data = Files.writeString(tmp.resolve("long.csv"), csv.toString());
        // the tiny preset: 128 positions, one of them the image's CLS token
        String expected = "seemore: warning: 2 of 5 captions in " + data + " longer than the model's 127 text positions were truncated";

        CliRun train = trainOneStep(data, "run");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.err().lines()).filteredOn(line -> line.contains("truncated")).singleElement().asString().startsWith(expected);

        CliRun eval = CliRun.of("eval", "--model", TinyModels.save(tmp.resolve("model")).toString(), "--data", data.toString());
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        assertThat(eval.err().lines()).filteredOn(line -> line.contains("truncated")).singleElement().asString().startsWith(expected);
    }
}
