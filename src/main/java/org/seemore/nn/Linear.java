package org.seemore.nn;

import org.seemore.tensor.Linalg;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.MatVec;

/** A fully connected layer, {@code y = x·Wᵀ + b}, with PyTorch's {@code [out, in]} weight layout. */
public final class Linear {
    public final Tensor weight; // (out, in)
    public final Tensor bias;   // (out) or null

    public Linear(Params p, int in, int out, boolean bias) {
        this(p, in, out, bias, 0f);
    }

    /** With the bias (if any) initialized to {@code biasInit} instead of 0. */
    public Linear(Params p, int in, int out, boolean bias, float biasInit) {
        this.weight = p.normal("weight", 0.02f, out, in);
        this.bias = bias ? p.constant("bias", biasInit, out) : null;
    }

    public Tensor forward(Tensor x) {
        return Linalg.linear(x, weight, bias); // (..., in) -> (..., out)
    }

    /**
     * One row without autodiff, for decoding: {@code y[yo .. yo+out) = W·x[xo .. xo+in) + b}, the
     * same sums as {@link #forward} computes for a single row.
     */
    public void forwardRow(float[] x, int xo, float[] y, int yo) {
        MatVec.multiply(weight.data(), weight.offset(), weight.dim(0), weight.dim(1), x, xo,
                bias == null ? null : bias.data(), bias == null ? 0 : bias.offset(), y, yo);
    }
}
