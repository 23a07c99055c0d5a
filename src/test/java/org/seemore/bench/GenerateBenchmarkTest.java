package org.seemore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link GenerateBenchmark}'s summary of repeated runs. */
class GenerateBenchmarkTest {

    @Test
    void theMedianIsTheMiddleRunOrTheMeanOfTheTwoMiddleOnes() {
        assertThat(GenerateBenchmark.median(new double[] {90, 55, 70})).isEqualTo(70);
        assertThat(GenerateBenchmark.median(new double[] {90, 55, 70, 60})).isEqualTo(65);
        assertThat(GenerateBenchmark.median(new double[] {42})).isEqualTo(42);
        double[] runs = {3, 1, 2};
        GenerateBenchmark.median(runs);
        assertThat(runs).containsExactly(3, 1, 2); // the caller's figures stay in run order
    }
}
