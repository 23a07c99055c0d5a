package org.seemore.tensor.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * What one run of a fast/reference {@link Pair} produced: arrays to compare, each with its
 * tolerance, {@code |fast - reference| <= absolute + relative * |reference|} at every element.
 */
public final class Outcome {
    /** One compared array and its tolerance. */
    public record Compared(String what, float[] fast, float[] reference, double absolute, double relative) {}

    private final List<Compared> compared = new ArrayList<>();

    /** Adds an array compared within {@code tolerance * (1 + |reference|)}. */
    public Outcome scaled(String what, float[] fast, float[] reference, double tolerance) {
        return add(new Compared(what, fast, reference, tolerance, tolerance));
    }

    /** Adds an array compared within an absolute tolerance. */
    public Outcome absolute(String what, float[] fast, float[] reference, double tolerance) {
        return add(new Compared(what, fast, reference, tolerance, 0));
    }

    /** Adds an array that must match bit for bit. */
    public Outcome exact(String what, float[] fast, float[] reference) {
        return add(new Compared(what, fast, reference, 0, 0));
    }

    public Outcome add(Compared c) {
        compared.add(c);
        return this;
    }

    public Outcome addAll(Outcome other) {
        compared.addAll(other.compared);
        return this;
    }

    public List<Compared> compared() {
        return compared;
    }

    /** Asserts every array is within its tolerance; a failure names the run, the array, the worst element and its difference. */
    public void check(String run) {
        if (compared.isEmpty()) throw new AssertionError(run + ": nothing was compared");
        for (Compared c : compared) {
            if (c.fast().length != c.reference().length) {
                throw new AssertionError(run + ", " + c.what() + ": " + c.fast().length + " values, the reference has " + c.reference().length);
            }
            int worst = -1;
            double worstExcess = 0;
            for (int i = 0; i < c.fast().length; i++) {
                double f = c.fast()[i], r = c.reference()[i];
                if (Double.compare(f, r) == 0) continue; // equal, or both the same NaN or infinity
                double excess = Math.abs(f - r) - (c.absolute() + c.relative() * Math.abs(r));
                if (!(excess <= worstExcess)) { // NaN on one side counts as over
                    worst = i;
                    worstExcess = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
                }
            }
            if (worst >= 0) {
                throw new AssertionError(String.format("%s, %s: at %d fast %s vs reference %s, |diff| %.3e, tolerance %.1e + %.1e * |reference|",
                        run, c.what(), worst, c.fast()[worst], c.reference()[worst],
                        Math.abs((double) c.fast()[worst] - c.reference()[worst]), c.absolute(), c.relative()));
            }
        }
    }

    /** A copy whose compared array {@code which} has its middle fast value pushed just past the tolerance. */
    public Outcome perturbed(int which) {
        Outcome copy = new Outcome();
        for (int i = 0; i < compared.size(); i++) {
            Compared c = compared.get(i);
            if (i == which) {
                float[] fast = c.fast().clone();
                int at = fast.length / 2;
                double r = c.reference()[at];
                fast[at] = (float) (r + 2 * (c.absolute() + c.relative() * Math.abs(r)) + 4 * Math.ulp((float) r));
                c = new Compared(c.what(), fast, c.reference(), c.absolute(), c.relative());
            }
            copy.add(c);
        }
        return copy;
    }
}
