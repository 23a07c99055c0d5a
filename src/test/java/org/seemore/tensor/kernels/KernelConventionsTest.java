package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules of the kernel code that no single kernel test sees, checked on the sources
 * ({@code src/main/java}, read from the project directory the build runs tests in).
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
}
