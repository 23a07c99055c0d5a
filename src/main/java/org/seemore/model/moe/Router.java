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
 * with eps ~ N(0, 1) only while training, then the k largest logits per token (descending, ties to
 * the lower index), weighted by a softmax over those k logits only.
 */
public final class Router {
    public final Linear gate;  // (E, C)
    public final Linear noise; // (E, C)
    static final float NOISE_BIAS_INIT = -3f;
    private final int numExperts;
    private final int topK;

    /** One layer's routing of N tokens. */
    public record Routing(
            Tensor logits,   // (N, E) the logits that chose the experts (noise included)
            int[] experts,   // (N*k) chosen experts, descending logit order per token
            Tensor weights   // (N, k) softmax over the chosen logits
    ) {}

    public Router(Params p, int width, int numExperts, int topK) {
        this.gate = new Linear(p.sub("gate"), width, numExperts, true);
        // the noise scale starts small (softplus(-3) = 0.05) so that early routing is not random;
        // the router can still learn to raise it where exploring helps
        this.noise = new Linear(p.sub("noise"), width, numExperts, true, NOISE_BIAS_INIT);
        this.numExperts = numExperts;
        this.topK = topK;
    }

    /** x (N, C) -> routing of every row. */
    public Routing route(Tensor x, int layer, ForwardContext ctx) {
        int n = x.dim(0);
        Tensor logits = gate.forward(x);                                  // (N, E)
        float[] eps = ctx.routingNoise(layer, n, numExperts);
        if (eps != null) {
            Tensor scale = Elementwise.softplus(noise.forward(x));        // (N, E)
            logits = Elementwise.add(logits, Elementwise.mul(Tensor.of(eps, n, numExperts), scale));
        }
        Indexing.TopK top = Indexing.topk(logits, topK);
        Tensor chosen = Indexing.gather(logits, top.indices(), topK);     // (N, k)
        return new Routing(logits, top.indices(), NnOps.softmax(chosen, false));
    }
}
