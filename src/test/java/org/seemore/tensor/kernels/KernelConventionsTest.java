package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules of the kernel code that no single kernel test sees, checked on the sources
 * ({@code src/main/java}, read from the project directory the build runs tests in): one vector
 * species, and the reference convention of {@code org.seemore.tensor.kernels}'s package comment:
 * {@code FooReference} stands beside {@code Foo} with the same method names, and only tests run it.
 */
class KernelConventionsTest {
    static final Path MAIN = Path.of("src/main/java");

    /** Every Java source file of the main tree, relative to it. */
    static List<Path> mainSources() {
        assertThat(MAIN).as("the main sources, from the project directory").isDirectory();
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).map(MAIN::relativize).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path relative) {
        try {
            return Files.readString(MAIN.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theVectorSpeciesIsDefinedOnceInVectorMath() {
        Pattern species = Pattern.compile("\\b(Float|Double|Long|Int|Short|Byte)Vector\\.SPECIES_\\w+");
        List<String> defining = mainSources().stream().filter(f -> species.matcher(read(f)).find()).map(Path::toString).toList();
        assertThat(defining).containsExactly("org/seemore/tensor/kernels/VectorMath.java");
    }

    /** The source without comments (so that a Javadoc link to a reference does not count as a use). */
    static String code(Path relative) {
        return read(relative).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }

    /** The main sources named {@code *Reference.java}. */
    static List<Path> references() {
        return mainSources().stream().filter(f -> f.getFileName().toString().endsWith("Reference.java")).toList();
    }

    @Test
    void everyReferenceStandsBesideItsFastClassWithTheSameMethodNames() {
        Pattern method = Pattern.compile("(?m)^\\s*(?:public\\s+)?static\\s+[\\w<>\\[\\],.? ]+?\\s+(\\w+)\\s*\\(");
        List<Path> references = references();
        assertThat(references).as("reference classes").hasSizeGreaterThanOrEqualTo(10);
        List<String> problems = new ArrayList<>();
        for (Path reference : references) {
            String name = reference.getFileName().toString();
            Path fast = reference.resolveSibling(name.substring(0, name.length() - "Reference.java".length()) + ".java");
            if (!Files.isRegularFile(MAIN.resolve(fast))) {
                problems.add(reference + " has no " + fast.getFileName() + " beside it");
                continue;
            }
            String fastCode = code(fast);
            Matcher m = method.matcher(code(reference));
            while (m.find()) {
                if (!Pattern.compile("static\\s+[^=;(]*\\b" + m.group(1) + "\\s*\\(").matcher(fastCode).find()) {
                    problems.add(reference + " has " + m.group(1) + "(), which " + fast.getFileName() + " does not");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void noReferenceRunsInTheProgram() {
        Pattern use = Pattern.compile("\\b\\w+Reference\\s*(\\.|::)");
        Pattern referenceMethod = Pattern.compile("\\s\\w+\\s+reference\\s*\\(");
        List<String> offenders = new ArrayList<>();
        for (Path f : mainSources()) {
            if (f.getFileName().toString().endsWith("Reference.java")) continue;
            String code = code(f);
            if (use.matcher(code).find()) offenders.add(f + " calls a reference class");
            if (referenceMethod.matcher(code).find()) offenders.add(f + " declares a reference method inside a fast class");
        }
        assertThat(offenders).isEmpty();
    }
}
