package org.seemore.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Train / validation splits of a list of examples. */
public final class Splits {
    private Splits() {}

    /** The examples to train on and the examples held out for validation, each in their original order. */
    public record Split(List<Example> train, List<Example> validation) {
        public Split {
            train = List.copyOf(train);
            validation = List.copyOf(validation);
        }
    }

    /** The share of the data held out for validation when no validation data is given. */
    public static final double DEFAULT_FRACTION = 0.05;
    /**
     * Fewer records than this are all trained on: 5% of them would be a handful, too few to measure anything,
     * and each one taken from a tiny set is missed in training.
     */
    public static final int MIN_RECORDS_TO_HOLD_OUT = 100;

    /**
     * The validation split taken when the user gives no validation data: a seeded {@value #DEFAULT_FRACTION}
     * of the examples (see {@link #holdOut}), or none below {@value #MIN_RECORDS_TO_HOLD_OUT} examples.
     */
    public static Split defaultValidation(List<Example> examples, long seed) {
        if (examples.size() < MIN_RECORDS_TO_HOLD_OUT) return new Split(examples, List.of());
        return holdOut(examples, DEFAULT_FRACTION, seed);
    }

    /** One line saying what {@link #defaultValidation} did, for the start of a run. */
    public static String describeDefault(Split split) {
        int train = split.train().size(), held = split.validation().size();
        if (held == 0) {
            return "validation: none: " + train + " records are fewer than the " + MIN_RECORDS_TO_HOLD_OUT + " needed to hold out "
                    + Math.round(100 * DEFAULT_FRACTION) + "%; all " + train + " are trained on (give --val FILE to validate)";
        }
        return "validation: " + Math.round(100 * DEFAULT_FRACTION) + "% of the data held out = " + held + " records; train on " + train;
    }

    /**
     * Holds out a seeded random {@code fraction} of the examples for validation (the default when the user
     * gives no validation file is 5%). The count is {@code round(fraction * n)}, at least one when
     * {@code fraction > 0} and at most {@code n - 1}, so neither side is empty for two or more examples.
     * The same list, fraction and seed always give the same split.
     */
    public static Split holdOut(List<Example> examples, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("the held-out fraction must be in [0, 1), got " + fraction);
        }
        int n = examples.size();
        if (fraction == 0 || n < 2) return new Split(examples, List.of());
        int held = (int) Math.clamp(Math.round(fraction * n), 1, n - 1);
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) order.add(i);
        Collections.shuffle(order, new Random(seed));
        boolean[] isHeld = new boolean[n];
        for (int i = 0; i < held; i++) isHeld[order.get(i)] = true;
        List<Example> train = new ArrayList<>(n - held);
        List<Example> validation = new ArrayList<>(held);
        for (int i = 0; i < n; i++) (isHeld[i] ? validation : train).add(examples.get(i));
        return new Split(train, validation);
    }
}
