package org.seemore.model.llava;

import org.seemore.model.Projector;
import org.seemore.model.hf.Activation;
import org.seemore.model.hfvision.ActivationOps;
import org.seemore.nn.Linear;
import org.seemore.nn.Params;
import org.seemore.tensor.Tensor;

/**
 * LLaVA's {@code multi_modal_projector} (Liu et al. 2023, LLaVA-1.5's two-layer MLP):
 * {@code linear_2(act(linear_1(x)))}, the activation {@code projector_hidden_act} (exact, erf GELU by default).
 */
public final class LlavaProjector implements Projector {
    private final Linear linear1, linear2;
    private final Activation activation;

    /** The projector's own choices; its widths are the tower's and the language model's. */
    public record Config(Activation activation, boolean bias) implements Projector.Config {
        @Override
        public LlavaProjector build(Params params, int inputWidth, int outputWidth) {
            return new LlavaProjector(params, inputWidth, outputWidth, this);
        }
    }

    /** {@code linear_1} (D -> C) and {@code linear_2} (C -> C) under {@code params}. */
    public LlavaProjector(Params params, int inputWidth, int outputWidth, Config config) {
        linear1 = new Linear(params.sub("linear_1"), inputWidth, outputWidth, config.bias());
        linear2 = new Linear(params.sub("linear_2"), outputWidth, outputWidth, config.bias());
        activation = config.activation();
    }

    @Override
    public Tensor forward(Tensor features) {
        return linear2.forward(ActivationOps.apply(activation, linear1.forward(features))); // (B, Nv, D) -> (B, Nv, C)
    }
}
