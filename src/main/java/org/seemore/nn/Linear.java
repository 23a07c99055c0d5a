package org.seemore.nn;

import org.seemore.tensor.Linalg;
import org.seemore.tensor.Tensor;

/** A fully connected layer, {@code y = x·Wᵀ + b}, with PyTorch's {@code [out, in]} weight layout. */
public final class Linear {
    public final Tensor weight; // (out, in)
    public final Tensor bias;   // (out) or null

    public Linear(Params p, int in, int out, boolean bias) {
        this.weight = p.normal("weight", 0.02f, out, in);
        this.bias = bias ? p.zeros("bias", out) : null;
    }

    public Tensor forward(Tensor x) {
        return Linalg.linear(x, weight, bias); // (..., in) -> (..., out)
    }
}
