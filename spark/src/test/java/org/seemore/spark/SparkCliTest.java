package org.seemore.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.DataSource;
import org.seemore.data.Example;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;

/**
 * {@code seemore spark} as a user runs it, on local[1]: captioning an image folder, evaluating Parquet
 * with a binary image column, and the refusals (bad flags, missing paths, a bad master URL), each one
 * line and a non-zero exit.
 */
class SparkCliTest {
    @TempDir static Path dir;
    static Path model, folder;
    static List<Example> examples;

    /** What a run printed and returned. */
    record Run(int exit, String out, String err) {}

    static Run spark(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = SparkMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeAll
    static void modelAndImages() throws Exception {
        examples = DataSource.load("synthetic:shapes", new DataSource.Options(Optional.empty(), null, false, Presets.get("tiny", 4).imageSize(), 5, 40, 1)).examples();
        CharTokenizer tokenizer = CharTokenizer.forExamples(examples);
        model = dir.resolve("model");
        ModelDirectory.save(model, new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 5), tokenizer, 0); // untrained: it only has to run
        folder = Files.createDirectories(dir.resolve("images"));
        for (int i = 0; i < 3; i++) Files.write(folder.resolve("scene-" + i + ".png"), CaptionInputs.encoded(examples.get(i).image()));
        Files.writeString(folder.resolve("notes.txt"), "not an image");
    }

    @Test
    void captionsAnImageFolderAndEvaluatesParquet() {
        Path captions = dir.resolve("captions");
        Run caption = spark("caption", "--model", model.toString(), "--data", folder.toString(), "--out", captions.toString(),
                "--master", "local[1]", "--max-tokens", "5", "--batch-size", "2");
        assertThat(caption.exit()).as(caption.err()).isZero();
        assertThat(caption.out()).startsWith("3 captions in ").contains(captions.toString());

        // the folder's captions, read back; then Parquet input: a binary image column under another name, ids and references
        Path parquet = dir.resolve("scenes.parquet");
        SparkSession session = SparkSessions.open("fixture", "local[1]");
        Dataset<Row> written = session.read().parquet(captions.toString());
        assertThat(written.select("id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
                .containsExactlyInAnyOrder("scene-0.png", "scene-1.png", "scene-2.png");
        for (Row r : written.collectAsList()) assertThat(r.getInt(r.fieldIndex("tokens"))).isBetween(0, 5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) rows.add(RowFactory.create("p" + i, CaptionInputs.encoded(examples.get(i).image()), examples.get(i).answer()));
        StructType schema = new StructType().add("id", DataTypes.StringType).add("pixels", DataTypes.BinaryType).add("caption", DataTypes.StringType);
        session.createDataFrame(rows, schema).write().parquet(parquet.toString());

        Path evaluated = dir.resolve("evaluated");
        Run eval = spark("eval", "--model", model.toString(), "--data", parquet.toString(), "--image-column", "pixels", "--out", evaluated.toString(),
                "--master", "local[1]", "--max-tokens", "5");
        assertThat(eval.exit()).as(eval.err()).isZero();
        // an untrained model's 5 characters never equal a scene's caption
        assertThat(eval.out()).matches("exact match 0\\.0%, character error rate \\d+\\.\\d\\d% over 4 records\\R");
        assertThat(evaluated).isDirectory();
    }

    @Test
    void refusalsAreOneLineWithANonZeroExit() {
        String out = dir.resolve("never").toString();
        assertRefused(spark("caption", "--model", model.toString(), "--data", folder.toString(), "--out", out, "--bogus"), "--bogus");
        assertRefused(spark("train", "--data", "synthetic:shapes", "--out", out, "--workers", "x"), "--workers");
        assertRefused(spark("caption", "--model", model.toString(), "--data", dir.resolve("missing.jsonl").toString(), "--out", out), "missing.jsonl");
        assertRefused(spark("eval", "--model", dir.resolve("no-model").toString(), "--data", folder.toString()), "no-model");
        assertRefused(spark("caption", "--model", model.toString(), "--data", folder.toString(), "--out", out, "--master", "nonsense://x"), "--master nonsense://x");
        assertRefused(spark("train", "--data", dir.resolve("missing.jsonl").toString(), "--out", out, "--master", "local[1]"), "missing.jsonl");
        assertRefused(spark("train", "--data", "synthetic:shapes", "--out", out, "--workers", "0", "--synthetic-count", "20"), "--workers");
        assertRefused(spark("train", "--data", "synthetic:shapes", "--out", out, "--steps", "0", "--synthetic-count", "20"), "--steps");
        assertRefused(spark("train", "--data", "synthetic:shapes", "--out", out, "--preset", "huge", "--synthetic-count", "20"), "huge");
        assertThat(Path.of(out)).as("a refused command leaves nothing behind").doesNotExist();
    }

    private static void assertRefused(Run run, String names) {
        assertThat(run.exit()).as(run.err()).isNotZero();
        assertThat(run.err().strip()).as("one line").doesNotContain("\n").contains(names).doesNotContain("Exception", "\tat ");
        assertThat(run.out()).isEmpty();
    }
}
