package org.seemore.model.moe;

import org.seemore.model.ForwardContext;
import org.seemore.nn.Linear;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Indexing;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Tensor;

/**
 * The noisy top-k router (Shazeer et al. 2017): {@code logits = gate(x) + eps * softplus(noise(x))}
 * with eps ~ N(0, 1) only while training, then the experts and weights of {@link Routing#route}.
 */
public final class Router {
    public final Linear gate;  // (E, C)
    public final Linear noise; // (E, C)
    static final float NOISE_BIAS_INIT = -3f;
    private final MoeConfig config;

    /** One layer's routing of N tokens. */
    public record Decision(
            Tensor logits,    // (N, E) the logits that chose the experts (noise included)
            int[] experts,    // (N*k) chosen experts, descending logit order per token
            Tensor weights,   // (N, k) softmax over the chosen logits
            boolean[] kept,   // (N*k) false where the capacity limit dropped the assignment
            int dropped       // assignments dropped
    ) {}

    public Router(Params p, int width, MoeConfig config) {
        this.gate = new Linear(p.sub("gate"), width, config.numExperts(), true);
        // the noise scale starts small (softplus(-3) = 0.05) so that early routing is not random;
        // the router can still learn to raise it where exploring helps
        this.noise = new Linear(p.sub("noise"), width, config.numExperts(), true, NOISE_BIAS_INIT);
        this.config = config;
    }

    /** x (N, C) -> routing of every row. */
    public Decision route(Tensor x, int layer, ForwardContext ctx) {
        int n = x.dim(0), numExperts = config.numExperts(), k = config.topK();
        Tensor logits = gate.forward(x);                                  // (N, E)
        float[] eps = ctx.routingNoise(layer, n, numExperts);
        if (eps != null) {
            Tensor scale = Elementwise.softplus(noise.forward(x));        // (N, E)
            logits = Elementwise.add(logits, Elementwise.mul(Tensor.of(eps, n, numExperts), scale));
        }
        int[] experts = new int[n * k];
        boolean[] kept = new boolean[n * k];
        int dropped = Routing.route(logits.data(), logits.offset(), n, numExperts, k, config.capacity(n),
                experts, new float[n * k], kept, new int[numExperts]);
        // the same weights as Routing's (the same softmax kernel on the same logits), as a function of
        // the logits, so that the router learns through them
        Tensor weights = NnOps.softmax(Indexing.gather(logits, experts, k), false); // (N, k)
        return new Decision(logits, experts, weights, kept, dropped);
    }
}
