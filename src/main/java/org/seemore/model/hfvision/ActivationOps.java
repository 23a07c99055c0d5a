package org.seemore.model.hfvision;

import org.seemore.model.hf.Activation;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Tensor;

/** The tensor op of each activation a Hugging Face config names ({@code hidden_act}, {@code projector_hidden_act}). */
public final class ActivationOps {
    private ActivationOps() {}

    /** {@code activation(x)}, elementwise and differentiable. */
    public static Tensor apply(Activation activation, Tensor x) {
        return switch (activation) {
            case GELU -> Elementwise.gelu(x);           // exact, erf
            case GELU_TANH -> Elementwise.geluTanh(x);  // gelu_pytorch_tanh / gelu_new
            case QUICK_GELU -> Elementwise.quickGelu(x);
            case SILU -> Elementwise.silu(x);
            case RELU -> Elementwise.relu(x);
        };
    }
}
