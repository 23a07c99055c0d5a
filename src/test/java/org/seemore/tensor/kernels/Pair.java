package org.seemore.tensor.kernels;

/**
 * A fast kernel and its plain reference as the pair harness runs them: the sizes to try, and a run
 * that puts both through the same inputs (drawn from the seed) at one size and returns what to
 * compare. A size is whatever dimension the pair varies: a row length, a sequence length, a matrix side.
 */
public record Pair(String name, int[] sizes, Run run) {
    /** One run at size n, its inputs drawn from seed. */
    @FunctionalInterface
    public interface Run {
        Outcome apply(int n, long seed);
    }

    @Override
    public String toString() {
        return name;
    }
}
