package org.seemore.generate;

import org.seemore.tensor.Rng;

/** Picks the next token from one row of logits. */
@FunctionalInterface
public interface Sampler {
    int sample(float[] logits, int offset, int vocab, Rng rng);

    /** Argmax; ties go to the lower index. */
    static Sampler greedy() {
        return (logits, offset, vocab, rng) -> {
            int best = 0;
            for (int i = 1; i < vocab; i++) if (logits[offset + i] > logits[offset + best]) best = i;
            return best;
        };
    }

    /**
     * Sampling from {@code softmax(logits / temperature)}, restricted to the {@code topK} most likely
     * tokens (0 = all) and then to the smallest set whose probability reaches {@code topP} (nucleus
     * sampling, Holtzman et al. 2020; 1 = all). A temperature of 0 is greedy.
     */
    static Sampler of(double temperature, int topK, double topP) {
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0");
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0");
        if (topP <= 0 || topP > 1) throw new IllegalArgumentException("top-p must be in (0, 1]");
        if (temperature == 0) return greedy();
        return (logits, offset, vocab, rng) -> {
            Integer[] order = new Integer[vocab];
            for (int i = 0; i < vocab; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> {
                int c = Float.compare(logits[offset + b], logits[offset + a]);
                return c != 0 ? c : Integer.compare(a, b);
            });
            int keep = topK == 0 ? vocab : Math.min(topK, vocab);
            double max = logits[offset + order[0]];
            double[] p = new double[keep];
            double sum = 0;
            for (int i = 0; i < keep; i++) {
                p[i] = Math.exp((logits[offset + order[i]] - max) / temperature);
                sum += p[i];
            }
            double cumulative = 0;
            int nucleus = keep;
            for (int i = 0; i < keep; i++) {
                cumulative += p[i] / sum;
                if (cumulative >= topP) {
                    nucleus = i + 1;
                    break;
                }
            }
            double total = 0;
            for (int i = 0; i < nucleus; i++) total += p[i];
            double u = rng.nextDouble() * total;
            for (int i = 0; i < nucleus; i++) {
                u -= p[i];
                if (u < 0) return order[i];
            }
            return order[nucleus - 1];
        };
    }
}
