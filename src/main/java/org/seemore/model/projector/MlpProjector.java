package org.seemore.model.projector;

import org.seemore.model.Projector;
import org.seemore.nn.Mlp;
import org.seemore.nn.Params;
import org.seemore.tensor.Tensor;

/**
 * Maps image features into the decoder's embedding space, making them "visual tokens":
 * {@code fc1 (4*D) -> GELU -> fc2 (C)}, applied to each visual row.
 */
public final class MlpProjector implements Projector {
    private final Mlp mlp;

    public MlpProjector(Params p, MlpProjectorConfig config, int inputWidth, int outputWidth) {
        this.mlp = new Mlp(p, inputWidth, config.hiddenMultiple() * inputWidth, outputWidth, config.activation());
    }

    /** (B, Nv, D) -> (B, Nv, C). */
    @Override
    public Tensor forward(Tensor features) {
        return mlp.forward(features);
    }
}
