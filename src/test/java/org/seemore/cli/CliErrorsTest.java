package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad flags and bad files: one line naming the flag, file or line; a non-zero exit; no stack trace. */
class CliErrorsTest {

    private record Run(int code, String err) {}

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(err, true), args);
        return new Run(code, err.toString());
    }

    private static void assertOneLineError(Run r, String... fragments) {
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
        for (String f : fragments) assertThat(r.err()).contains(f);
    }

    @Test
    void unknownFlagsAndBadValuesNameTheFlag() {
        assertOneLineError(run("train", "--data", "x.jsonl", "--out", "o", "--bogus"), "--bogus");
        assertOneLineError(run("train", "--data", "x.jsonl", "--out", "o", "--steps", "many"), "--steps");
        assertOneLineError(run("caption", "--model", "m"), "IMAGE");
        assertOneLineError(run("caption", "--model", "m", "--top-p", "1.5", "a.png"), "--top-p");
    }

    @Test
    void trainRefusesToOverwriteARunDirectory(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertOneLineError(run("train", "--data", "synthetic:shapes", "--out", out.toString(), "--steps", "1"), "--out", "--resume", "--force");
        assertThat(Files.readString(out.resolve("notes.txt"))).isEqualTo("mine");
        assertOneLineError(run("train", "--data", "synthetic:shapes", "--out", tmp.resolve("new").toString(), "--resume"), "--resume");
    }

    @Test
    void missingAndMalformedDataNameTheFileAndLine(@TempDir Path tmp) throws Exception {
        assertOneLineError(run("train", "--data", tmp.resolve("none.jsonl").toString(), "--out", tmp.resolve("o1").toString()), "none.jsonl");
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"image\": \"a.png\", \"caption\": \"x\"}\n{not json\n");
        assertOneLineError(run("train", "--data", bad.toString(), "--out", tmp.resolve("o2").toString()), "bad.jsonl:1");
        assertOneLineError(run("train", "--data", "synthetic:circles", "--out", tmp.resolve("o3").toString()), "synthetic:circles");
        assertOneLineError(run("train", "--data", tmp.resolve("d.xyz").toString(), "--out", tmp.resolve("o4").toString()), "d.xyz");
    }

    @Test
    void modelDirectoriesAndImagesAreChecked(@TempDir Path tmp) throws Exception {
        assertOneLineError(run("caption", "--model", tmp.toString(), "x.png"), "not a model directory");
        assertOneLineError(run("eval", "--model", tmp.resolve("nope").toString(), "--data", "synthetic:shapes:test"), "nope");
        assertOneLineError(run("parity", tmp.resolve("none.safetensors").toString()), "none.safetensors");
        Path garbage = tmp.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {1, 2, 3});
        assertOneLineError(run("parity", garbage.toString()), "garbage.safetensors");
    }
}
