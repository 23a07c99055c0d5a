package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.seemore.tensor.kernels.Outcome;

/**
 * Runs a fast op and its plain reference on copies of the same inputs and collects the outputs and
 * the inputs' gradients to compare (an {@link Outcome}). The backward runs twice (a second forward
 * and backward without zeroing), so both the first gradient (which fast ops may hand over without a
 * copy) and accumulation into an existing one are checked.
 */
final class FastVsReference {
    private FastVsReference() {}

    /** Relative-plus-absolute tolerance: |fast - ref| <= TOL * (1 + |ref|). */
    static final double TOL = 2e-5;

    /** Asserts at once what {@link #outcome} collects. */
    static void compare(String op, Function<List<Tensor>, Tensor> fast, Function<List<Tensor>, Tensor> reference, Tensor... inputs) {
        outcome(op, TOL, fast, reference, inputs).check(op);
    }

    static Outcome outcome(String op, double tol, Function<List<Tensor>, Tensor> fast, Function<List<Tensor>, Tensor> reference, Tensor... inputs) {
        List<Tensor> a = copies(inputs), b = copies(inputs);
        Outcome outcome = new Outcome();
        for (int pass = 0; pass < 2; pass++) {
            Tensor outFast = fast.apply(a), outRef = reference.apply(b);
            assertThat(outFast.shape()).as("%s: shape", op).containsExactly(outRef.shape());
            outcome.scaled(op + (pass == 0 ? ": output" : ": output, second pass"), outFast.toArray(), outRef.toArray(), tol);
            float[] r = new Rng(17 + pass).uniform(outRef.size(), -1f, 1f);
            weighted(outFast, r).backward();
            weighted(outRef, r).backward();
        }
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].requiresGrad()) continue;
            float[] gf = a.get(i).grad(), gr = b.get(i).grad();
            assertThat(gr).as("%s: reference gradient of input %d", op, i).isNotNull();
            assertThat(gf).as("%s: gradient of input %d", op, i).isNotNull();
            int size = inputs[i].size();
            outcome.scaled(op + ": gradient of input " + i, Arrays.copyOf(gf, size), Arrays.copyOf(gr, size), tol);
        }
        return outcome;
    }

    /** sum(out * r), whose gradient with respect to out is r; built from the reference ops. */
    private static Tensor weighted(Tensor out, float[] r) {
        return Reductions.sumAll(ElementwiseReference.mul(out, Tensor.of(r.clone(), out.shape())));
    }

    private static List<Tensor> copies(Tensor[] inputs) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : inputs) {
            Tensor c = Tensor.of(t.toArray(), t.shape());
            out.add(t.requiresGrad() ? c.requiresGrad(true) : c);
        }
        return out;
    }

    static void assertClose(String what, float[] actual, float[] expected, double tol) {
        assertThat(actual).as("%s: length", what).hasSize(expected.length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < actual.length; i++) {
            double excess = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
            if (!(excess <= worst)) {
                worst = excess;
                at = i;
            }
        }
        String detail = at < 0 ? "" : String.format(" at %d: %s vs %s", at, actual[at], expected[at]);
        assertThat(worst).as("%s: max scaled |diff| %.3e%s", what, worst, detail).isLessThanOrEqualTo(tol);
    }

    /** Uniform values in [-scale, scale], as a leaf that wants a gradient. */
    static Tensor random(Rng rng, float scale, int... shape) {
        return Tensor.of(rng.uniform(Shapes.numel(shape), -scale, scale), shape).requiresGrad(true);
    }
}
