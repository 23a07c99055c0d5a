package org.seemore.model.moe;

import java.util.ArrayList;
import java.util.List;
import org.seemore.model.ForwardContext;
import org.seemore.nn.Mlp;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.ExpertMlps;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Profiler;
import org.seemore.tensor.Reductions;
import org.seemore.tensor.Tensor;

/**
 * A sparse Mixture-of-Experts feed-forward layer: each token goes to the k experts its router picks
 * and gets their outputs weighted by the router. Each expert runs once on all of its tokens gathered
 * into one matrix (grouped, not token by token), the experts side by side, and the outputs come back
 * weighted, all in one op ({@link ExpertMlps}).
 *
 * <p>Two paths over the same weights and the same {@link Routing}: {@link #forward} on tensors (with
 * autodiff, for training and prefill) and {@link #newStep} on preallocated rows (for decoding).
 *
 * <p>Also computes the load-balancing loss (Switch Transformer, Fedus et al. 2022, in the fixture
 * README's form {@code E * sum_e f_e * P_e}) and an optional router z-loss (ST-MoE).
 */
public final class SparseMoe {
    public final Router router;
    public final List<Mlp> experts = new ArrayList<>();
    final MoeConfig config;
    private final ExpertMlps.Expert[] expertWeights; // the experts' Linear weights, for the fused op

    /** One layer's result. */
    public record Output(
            Tensor y,            // (N, C)
            Tensor auxLoss,      // scalar, E * sum f*P (balanced: top_k); null without losses
            Tensor zLoss,        // scalar, mean logsumexp(logits)^2, or null when off or without losses
            int[] routes,        // (N*k) chosen experts
            int[] expertTokens,  // (E) tokens each expert processed
            int dropped          // token-expert assignments dropped by the capacity limit
    ) {}

    public SparseMoe(Params p, int width, MoeConfig config) {
        this.config = config;
        this.router = new Router(p.sub("router"), width, config);
        for (int e = 0; e < config.numExperts(); e++) {
            experts.add(new Mlp(p.sub("experts." + e), width, 4 * width, width, Mlp.Activation.RELU));
        }
        this.expertWeights = experts.stream()
                .map(m -> new ExpertMlps.Expert(m.fc1.weight, m.fc1.bias, m.fc2.weight, m.fc2.bias))
                .toArray(ExpertMlps.Expert[]::new);
    }

    /**
     * x (N, C) -> (N, C) plus the routing statistics; with {@code losses}, the auxiliary losses too
     * (decoding, which has no loss, skips them).
     */
    public Output forward(Tensor x, int layer, ForwardContext ctx, boolean losses) {
        Router.Decision routing;
        Tensor aux = null, zLoss = null;
        try (var s = Profiler.scope("moe router")) {
            routing = router.route(x, layer, ctx);
            if (losses) {
                aux = balancingLoss(routing);
                if (config.routerZLossCoef() > 0) zLoss = zLoss(routing);
            }
        }
        try (var s = Profiler.scope("moe experts")) {
            return dispatch(x, routing, aux, zLoss);
        }
    }

    /** Buffers and the row path for decoding up to {@code maxRows} rows at a time. */
    public SparseMoeStep newStep(int maxRows) {
        return new SparseMoeStep(this, maxRows);
    }

    /** Runs each expert on its kept tokens and adds the weighted outputs back at their rows. */
    private Output dispatch(Tensor x, Router.Decision routing, Tensor aux, Tensor zLoss) {
        int k = config.topK(), numExperts = config.numExperts();
        int[] routes = routing.experts();
        boolean[] kept = routing.kept();
        // group the kept (token, slot) assignments by expert, in token order
        int[] counts = new int[numExperts];
        for (int i = 0; i < routes.length; i++) if (kept[i]) counts[routes[i]]++;
        int[][] rows = new int[numExperts][], slots = new int[numExperts][];
        for (int e = 0; e < numExperts; e++) {
            rows[e] = new int[counts[e]];
            slots[e] = new int[counts[e]];
        }
        int[] fill = new int[numExperts];
        for (int i = 0; i < routes.length; i++) {
            if (!kept[i]) continue;
            int e = routes[i];
            rows[e][fill[e]] = i / k;
            slots[e][fill[e]++] = i;
        }
        // y[rows[e][i]] += weights[slots[e][i]] * expert_e(x[rows[e][i]]), in expert order
        Tensor y = ExpertMlps.forward(x, expertWeights, rows, slots, routing.weights()); // (N, C)
        return new Output(y, aux, zLoss, routes, counts, routing.dropped());
    }

    /**
     * {@code E * sum_e f_e * P_e}: f_e the share of tokens that picked e among their top-k (no
     * gradient), P_e the mean router probability of e over all tokens. Balanced routing gives top_k.
     */
    private Tensor balancingLoss(Router.Decision routing) {
        int n = routing.logits().dim(0), numExperts = config.numExperts();
        int[] counts = new int[numExperts];
        for (int e : routing.experts()) counts[e]++;
        float[] f = new float[numExperts];
        for (int e = 0; e < numExperts; e++) f[e] = (float) counts[e] / n;
        Tensor probs = Reductions.mean(NnOps.softmax(routing.logits(), false), 0, false); // (E)
        return Elementwise.scale(Reductions.sumAll(Elementwise.mul(Tensor.of(f, numExperts), probs)), numExperts);
    }

    /** The router z-loss, mean over tokens of logsumexp(logits)^2 (ST-MoE, Zoph et al. 2022). */
    private static Tensor zLoss(Router.Decision routing) {
        Tensor lse = NnOps.logSumExp(routing.logits());                      // (N)
        return Reductions.meanAll(Elementwise.mul(lse, lse));
    }
}
