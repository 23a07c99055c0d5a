package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.seemore.tensor.kernels.KernelPairs;
import org.seemore.tensor.kernels.Outcome;
import org.seemore.tensor.kernels.Pair;
import org.seemore.tensor.kernels.Parallel;
import org.seemore.tensor.kernels.Sources;
import org.seemore.tensor.kernels.WeightProductPairs;

/**
 * The harness of every fast kernel against its plain reference ({@link TensorPairs},
 * {@link KernelPairs}): each pair at each of its sizes on 1, 2 and 3 threads, within its tolerance,
 * and with the fast side giving the same bits on every thread count. The harness checks itself:
 * a perturbed result and kernels that are wrong on purpose must fail it.
 */
class FastReferencePairsTest {
    private static final int MAX_THREADS = 3;

    static List<Pair> pairs() {
        List<Pair> pairs = new ArrayList<>(TensorPairs.all());
        pairs.addAll(KernelPairs.all());
        pairs.addAll(WeightProductPairs.all());
        return pairs;
    }

    static Stream<Arguments> runs() {
        return pairs().stream().flatMap(p -> java.util.Arrays.stream(p.sizes()).mapToObj(n -> Arguments.of(p, n)));
    }

    /** The pair at size n on 1 to 3 threads: within tolerance each time, and the fast results the same bits every time. */
    static void check(Pair pair, int n) {
        int before = Parallel.threads();
        try {
            Outcome first = null;
            for (int threads = 1; threads <= MAX_THREADS; threads++) {
                Parallel.setThreads(threads);
                Outcome outcome = pair.run().apply(n, seed(pair, n));
                String run = pair.name() + ", n=" + n + ", " + threads + (threads == 1 ? " thread" : " threads");
                outcome.check(run);
                if (first == null) {
                    first = outcome;
                } else {
                    sameBits(run, first, outcome);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static long seed(Pair pair, int n) {
        return pair.name().hashCode() * 1_000_003L + n;
    }

    private static void sameBits(String run, Outcome oneThread, Outcome outcome) {
        List<Outcome.Compared> a = oneThread.compared(), b = outcome.compared();
        assertThat(b).as("%s: arrays compared", run).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            float[] x = a.get(i).fast(), y = b.get(i).fast();
            for (int j = 0; j < x.length; j++) {
                if (Float.floatToRawIntBits(x[j]) != Float.floatToRawIntBits(y[j])) {
                    throw new AssertionError(run + ", " + b.get(i).what() + ": at " + j + " the fast result is " + y[j] + ", on 1 thread " + x[j]);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}, n={1}")
    @MethodSource("runs")
    void fastMatchesReferenceOnOneToThreeThreads(Pair pair, int n) {
        check(pair, n);
    }

    @Test
    void everyReferenceHasAPairAndEveryPairOneName() {
        List<String> names = pairs().stream().map(Pair::name).toList();
        assertThat(names).doesNotHaveDuplicates();
        for (Path reference : Sources.references()) {
            String fast = Sources.fastClassOf(reference);
            assertThat(names).as("pairs of %s against %s", fast, reference.getFileName()).anyMatch(name -> name.startsWith(fast + "."));
        }
    }

    /** Each compared array of every pair, pushed just past its tolerance at one element, fails the check. */
    @Test
    void everyComparedArrayCanFail() {
        for (Pair pair : pairs()) {
            int n = pair.sizes()[Math.min(1, pair.sizes().length - 1)];
            Outcome outcome = pair.run().apply(n, seed(pair, n));
            List<Outcome.Compared> compared = outcome.compared();
            for (int i = 0; i < compared.size(); i++) {
                if (compared.get(i).fast().length == 0) continue;
                Outcome perturbed = outcome.perturbed(i);
                String what = pair.name() + ", " + compared.get(i).what();
                assertThatThrownBy(() -> perturbed.check(what)).as(what).isInstanceOf(AssertionError.class);
            }
        }
    }

    /** Kernels wrong on purpose, from a missing mask to a last bit that follows the thread count, fail the harness. */
    @Test
    void wrongKernelsFail() {
        List<Pair> mutants = new ArrayList<>(TensorPairs.mutants());
        mutants.addAll(KernelPairs.mutants());
        assertThat(mutants).hasSizeGreaterThanOrEqualTo(5);
        for (Pair mutant : mutants) {
            // the one within tolerance is caught by the thread check, the others by their tolerance
            String expected = mutant.name().contains("thread count") ? "on 1 thread" : "tolerance";
            assertThatThrownBy(() -> check(mutant, 17)).as(mutant.name()).isInstanceOf(AssertionError.class).hasMessageContaining(expected);
        }
    }
}
