package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-ASCII paths under an ASCII locale (LC_ALL=C): Java decodes arguments and encodes file names in
 * the locale's charset, fixed when the JVM starts, so these run in a child JVM.
 */
class LocaleTest {
    private static final Map<String, String> C_LOCALE = Map.of("LC_ALL", "C");

    private static void assertOneLine(ChildJvm r, String... fragments) {
        assertThat(r.exitCode()).isNotZero();
        String err = r.errLines().strip();
        assertThat(err).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
        for (String f : fragments) assertThat(err).contains(f);
    }

    @Test
    void aPathTheLocaleCannotRepresentNamesItsFlagAndAUtf8Locale(@TempDir Path tmp) throws Exception {
        String model = tmp + "/m\u00fc", data = tmp + "/d\u00fc.jsonl";
        assertOneLine(ChildJvm.run(C_LOCALE, List.of(), "caption", "--model", model, "x.png"), "--model", "LC_ALL=C.UTF-8");
        assertOneLine(ChildJvm.run(C_LOCALE, List.of(), "caption", "--model", tmp.toString(), tmp + "/\u00fc.png"), "IMAGE", "LC_ALL=C.UTF-8");
        assertOneLine(ChildJvm.run(C_LOCALE, List.of(), "train", "--data", data, "--out", tmp.resolve("run").toString()), "--data", "LC_ALL=C.UTF-8");
    }

    @Test
    void theLauncherRunsJavaUnderAUtf8LocaleWhenTheLocaleIsAscii(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("\u00fc.txt"), "not a model");
        String script = Path.of("scripts", "utf8-locale.sh").toAbsolutePath().toString();
        // what ./seemore does before exec'ing java: source the script, call the function
        ChildJvm r = ChildJvm.exec(C_LOCALE, List.of("bash", "-c", ". '" + script + "' && seemore_utf8_locale && echo \"$LC_ALL\""));
        assertThat(r.out().strip()).isEqualTo("C.UTF-8");
        // and under it the path is a path: the model directory check finds the file
        ChildJvm found = ChildJvm.run(Map.of("LC_ALL", r.out().strip()), List.of(), "caption", "--model", file.toString(), "x.png");
        assertThat(found.errLines()).contains("a file, not a model directory");
        // a UTF-8 locale, or any other charset the user chose, is left alone
        ChildJvm kept = ChildJvm.exec(Map.of("LC_ALL", "C.UTF-8"), List.of("bash", "-c", ". '" + script + "' && seemore_utf8_locale && echo \"$LC_ALL\""));
        assertThat(kept.out().strip()).isEqualTo("C.UTF-8");
    }
}
