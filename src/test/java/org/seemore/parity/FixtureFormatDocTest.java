package org.seemore.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fixture format is documented inside the project ({@code docs/fixtures.md}), and the document
 * keeps up with the code: the runner points to it, and it names every mode, tolerance and fixture.
 */
class FixtureFormatDocTest {
    private static final Path DOC = Path.of("docs/fixtures.md");

    @Test
    void theRunnerPointsToTheDocumentInTheProject() throws IOException {
        String runner = Files.readString(Path.of("src/main/java/org/seemore/parity/ParityRunner.java"));
        assertThat(runner).contains("docs/fixtures.md").doesNotContain("../shared");
        assertThat(DOC).isRegularFile();
    }

    @Test
    void theDocumentNamesEveryModeToleranceAndFixture() throws IOException {
        String doc = Files.readString(DOC);
        for (String mode : List.of("**eval**", "**noisy**", "**greedy**", "**train**")) assertThat(doc).contains(mode);
        for (double tolerance : new double[] {ParityRunner.OUTPUT_TOLERANCE, ParityRunner.GRAD_TOLERANCE, ParityRunner.TRAINED_PARAM_TOLERANCE}) {
            assertThat(doc).contains(String.format("%.0e", tolerance).replace("e-0", "e-"));
        }
        for (String key : List.of("`config`", "`mode`", "`optimizer`", "`param.<name>`", "`grad.<name>`", "`final.<name>`", "`input.noise")) {
            assertThat(doc).contains(key);
        }
        try (Stream<Path> files = Files.list(ParityTestFixtures.path("vlm-tiny-cls.safetensors").getParent())) {
            List<String> fixtures = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).toList();
            assertThat(fixtures).isNotEmpty();
            for (String fixture : fixtures) assertThat(doc).as("docs/fixtures.md lists %s", fixture).contains("`" + fixture + "`");
        }
    }
}
