package org.seemore.model.moe;

/**
 * A sparse MoE layer's hyper-parameters, immutable and validated. Messages use the reference's
 * config names, as a user wrote them in config.json.
 *
 * @param numExperts      experts per layer E
 * @param topK            experts chosen per token k
 * @param capacityFactor  expert capacity as a multiple of the balanced load; 0 means dropless
 * @param auxLossCoef     weight of the load-balancing loss
 * @param routerZLossCoef weight of the router z-loss (ST-MoE, Zoph et al. 2022); 0 turns it off
 */
public record MoeConfig(int numExperts, int topK, double capacityFactor, double auxLossCoef, double routerZLossCoef) {
    /** The load-balancing loss weight of every preset (the original seemore's). */
    public static final double DEFAULT_AUX_LOSS_COEF = 0.01;

    public MoeConfig {
        if (numExperts <= 0) throw new IllegalArgumentException("num_experts must be positive, got " + numExperts);
        if (topK <= 0) throw new IllegalArgumentException("top_k must be positive, got " + topK);
        if (topK > numExperts) throw new IllegalArgumentException("top_k " + topK + " must not exceed num_experts " + numExperts);
        if (auxLossCoef < 0 || routerZLossCoef < 0) throw new IllegalArgumentException("loss coefficients must be >= 0");
        if (capacityFactor < 0) throw new IllegalArgumentException("capacity_factor must be >= 0 (0 = dropless)");
    }

    /** E experts, top-k, dropless, the default balancing loss and no z-loss. */
    public static MoeConfig of(int numExperts, int topK) {
        return new MoeConfig(numExperts, topK, 0, DEFAULT_AUX_LOSS_COEF, 0);
    }

    public MoeConfig withCapacityFactor(double factor) {
        return new MoeConfig(numExperts, topK, factor, auxLossCoef, routerZLossCoef);
    }

    public MoeConfig withAuxLossCoef(double coef) {
        return new MoeConfig(numExperts, topK, capacityFactor, coef, routerZLossCoef);
    }

    public MoeConfig withRouterZLossCoef(double coef) {
        return new MoeConfig(numExperts, topK, capacityFactor, auxLossCoef, coef);
    }

    /**
     * The most token-expert assignments an expert takes from {@code rows} tokens,
     * {@code ceil(factor * rows * k / E)}, or no limit when dropless.
     */
    public int capacity(int rows) {
        return capacityFactor > 0 ? (int) Math.ceil(capacityFactor * rows * topK / numExperts) : Integer.MAX_VALUE;
    }
}
