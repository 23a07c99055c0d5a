package org.seemore.model;

import org.seemore.tensor.NnOps;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/**
 * How one forward pass runs: training (dropout and routing noise on) or inference, the seeded
 * generator that draws dropout masks, and where the router's noise comes from.
 */
public final class ForwardContext {

    /** The standard-normal noise eps of the noisy top-k router, for one layer: (rows, experts). */
    @FunctionalInterface
    public interface RoutingNoise {
        float[] sample(int layer, int rows, int experts);
    }

    private final boolean training;
    private final float dropout;
    private final Rng rng;
    private final RoutingNoise noise;

    private ForwardContext(boolean training, float dropout, Rng rng, RoutingNoise noise) {
        this.training = training;
        this.dropout = dropout;
        this.rng = rng;
        this.noise = noise;
    }

    /** Inference: no dropout, no routing noise. */
    public static ForwardContext inference() {
        return new ForwardContext(false, 0f, null, null);
    }

    /** Training: dropout at the config's rate and noise drawn from {@code rng}. */
    public static ForwardContext training(VlmConfig config, Rng rng) {
        return new ForwardContext(true, (float) config.dropout(), rng,
                (layer, rows, experts) -> rng.normal(rows * experts, 0f, 1f));
    }

    /** A given noise (e.g. a reference dump's), no dropout. */
    public static ForwardContext withNoise(RoutingNoise noise) {
        return new ForwardContext(false, 0f, null, noise);
    }

    public boolean training() { return training; }

    /** Router noise for this layer, or null when routing is deterministic. */
    public float[] routingNoise(int layer, int rows, int experts) {
        return noise == null ? null : noise.sample(layer, rows, experts);
    }

    public Tensor dropout(Tensor x) {
        return training && dropout > 0 ? NnOps.dropout(x, dropout, rng) : x;
    }
}
