package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;

/**
 * Finite-difference gradient check. The scalar checked is {@code sum(f(inputs) * r)} with a fixed
 * random {@code r}, so every output element's gradient path is exercised; the sum is taken in
 * double and the central difference uses a step large enough for float32 round-off to stay small.
 * Public for the model packages' checks (e.g. Mixtral's router, through a whole model).
 */
public final class GradCheck {
    private GradCheck() {}

    public static void check(String op, Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        check(op, f, 1e-2f, 2e-2, 2e-3, inputs);
    }

    public static void check(String op, Function<List<Tensor>, Tensor> f, float step, double relTol, double absTol, Tensor... inputs) {
        List<Tensor> in = List.of(inputs);
        for (Tensor t : inputs) t.requiresGrad(true).zeroGrad();
        Tensor out = f.apply(in);
        float[] r = new Rng(99).uniform(out.size(), -1f, 1f);
        Tensor weighted = Reductions.sumAll(Elementwise.mul(out, Tensor.of(r.clone(), out.shape())));
        weighted.backward();
        int checked = 0;
        for (int ti = 0; ti < inputs.length; ti++) {
            Tensor t = inputs[ti];
            float[] analytic = t.grad() == null ? new float[t.size()] : t.grad().clone();
            float[] d = t.data();
            for (int i = 0; i < t.size(); i++) {
                float saved = d[t.offset() + i];
                d[t.offset() + i] = saved + step;
                double plus = value(f, in, r);
                d[t.offset() + i] = saved - step;
                double minus = value(f, in, r);
                d[t.offset() + i] = saved;
                double numeric = (plus - minus) / (2 * step);
                double diff = Math.abs(numeric - analytic[i]);
                double allowed = absTol + relTol * Math.abs(numeric);
                checked++;
                assertThat(diff)
                        .as("%s: d/d input%d[%d]: analytic %s vs numeric %s", op, ti, i, analytic[i], numeric)
                        .isLessThanOrEqualTo(allowed);
            }
        }
        assertThat(checked).as(op + ": no input element was checked").isPositive();
    }

    private static double value(Function<List<Tensor>, Tensor> f, List<Tensor> in, float[] r) {
        try (var g = GradMode.noGrad()) {
            Tensor out = f.apply(in);
            double s = 0;
            for (int i = 0; i < out.size(); i++) s += (double) out.data()[out.offset() + i] * r[i];
            return s;
        }
    }

    public static Tensor random(Rng rng, int... shape) {
        return Tensor.of(rng.uniform(Shapes.numel(shape), -1f, 1f), shape);
    }
}
