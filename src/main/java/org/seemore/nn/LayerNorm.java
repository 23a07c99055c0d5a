package org.seemore.nn;

import org.seemore.tensor.NnOps;
import org.seemore.tensor.Tensor;

/** LayerNorm over the last axis, eps 1e-5, with a learned scale and shift. */
public final class LayerNorm {
    public static final float EPS = 1e-5f;
    public final Tensor weight;
    public final Tensor bias;

    public LayerNorm(Params p, int width) {
        this.weight = p.ones("weight", width);
        this.bias = p.zeros("bias", width);
    }

    public Tensor forward(Tensor x) {
        return NnOps.layerNorm(x, weight, bias, EPS);
    }
}
