package org.seemore.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every PyTorch reference dump in the test resources, matched to the tolerances of docs/fixtures.md. */
class ParityTest {

    static Path fixture(String name) {
        return ParityTestFixtures.path(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vlm-tiny-cls.safetensors", "vlm-tiny-patches.safetensors", "vlm-tiny-noisy.safetensors",
            "vlm-tiny-generate.safetensors", "vlm-tiny-train.safetensors"})
    void matchesPyTorch(String name) {
        ParityReport report = ParityRunner.run(fixture(name));
        report.lines().forEach(l -> System.out.println(name + ": " + l));
        assertThat(report.checks()).isNotEmpty();
        for (ParityReport.Check c : report.checks()) assertThat(c.passed()).as(name + ": " + c.line()).isTrue();
        for (ParityReport.Check c : report.gradients()) assertThat(c.passed()).as(name + ": " + c.line()).isTrue();
        if (!name.contains("generate") && !name.contains("train")) assertThat(report.gradients()).hasSizeGreaterThan(50);
    }
}
