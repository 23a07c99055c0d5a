package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The main sources ({@code src/main/java}, from the project directory the build runs tests in), for tests of conventions. */
public final class Sources {
    public static final Path MAIN = Path.of("src/main/java");

    private Sources() {}

    /** Every Java source file of the main tree, relative to it; fails (never skips) when the tree is not there. */
    public static List<Path> all() {
        assertThat(MAIN).as("the main sources, from the project directory").isDirectory();
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).map(MAIN::relativize).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path relative) {
        try {
            return Files.readString(MAIN.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The source without comments (so that a Javadoc link to a class does not count as a use). */
    public static String code(Path relative) {
        return read(relative).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }

    /** The main sources named {@code *Reference.java}. */
    public static List<Path> references() {
        return all().stream().filter(f -> f.getFileName().toString().endsWith("Reference.java")).toList();
    }

    /** The simple name of the fast class a reference file stands beside: {@code GemmReference.java} -> {@code Gemm}. */
    public static String fastClassOf(Path reference) {
        String name = reference.getFileName().toString();
        return name.substring(0, name.length() - "Reference.java".length());
    }
}
