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
