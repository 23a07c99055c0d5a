package org.seemore.model.projector;

import org.seemore.model.Projector;
import org.seemore.nn.Mlp;
import org.seemore.nn.Params;

/**
 * The MLP projector's own choices: {@code fc1 (hiddenMultiple * D) -> activation -> fc2 (C)}. Its
 * widths D and C are the vision tower's and the language model's.
 *
 * @param hiddenMultiple the hidden width as a multiple of the input width
 * @param activation     the activation between the two layers
 */
public record MlpProjectorConfig(int hiddenMultiple, Mlp.Activation activation) implements Projector.Config {
    /** The reference's projector: 4 x D hidden, GELU. */
    public static final MlpProjectorConfig DEFAULT = new MlpProjectorConfig(4, Mlp.Activation.GELU);

    public MlpProjectorConfig {
        if (hiddenMultiple <= 0) throw new IllegalArgumentException("the projector's hidden multiple must be positive, got " + hiddenMultiple);
        if (activation == null) throw new IllegalArgumentException("the projector needs an activation");
    }

    @Override
    public MlpProjector build(Params params, int inputWidth, int outputWidth) {
        return new MlpProjector(params, this, inputWidth, outputWidth);
    }
}
