package org.seemore.model.hfvision;

import org.seemore.model.VisionTower;
import org.seemore.model.hf.LlavaConfig;
import org.seemore.model.hf.LlavaConfig.SelectStrategy;
import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.Params;

/**
 * A CLIP or SigLIP tower as a {@link VisionTower}: its Hugging Face config, and which rows of which
 * hidden state become the feature rows, as LLaVA selects them.
 *
 * @param featureLayer index into the hidden states (0 = the encoder's input, -1 = the last layer's output, before any post-LayerNorm)
 * @param select       DEFAULT drops row 0 (CLIP's class token; HF drops it for SigLIP too), FULL keeps every row
 */
public record HfVisionTowerConfig(VisionConfig vision, int featureLayer, SelectStrategy select) implements VisionTower.Config {
    public HfVisionTowerConfig {
        int states = vision.numHiddenLayers() + 1;
        if (featureLayer < -states || featureLayer >= states) {
            throw new IllegalArgumentException("feature layer " + featureLayer + " is outside the tower's " + states
                    + " hidden states (" + -states + " to " + (states - 1) + ")");
        }
    }

    /** Every row of the last layer's output. */
    public static HfVisionTowerConfig lastLayer(VisionConfig vision) {
        return new HfVisionTowerConfig(vision, -1, SelectStrategy.FULL);
    }

    /** The tower and feature selection of a LLaVA config. */
    public static HfVisionTowerConfig of(LlavaConfig llava) {
        return new HfVisionTowerConfig(llava.vision(), llava.visionFeatureLayer(), llava.visionFeatureSelectStrategy());
    }

    /** The selected hidden state as a non-negative index: how many encoder layers the features pass through. */
    public int featureIndex() {
        return featureLayer < 0 ? vision.numHiddenLayers() + 1 + featureLayer : featureLayer;
    }

    @Override public int imageSize() { return vision.imageSize(); }
    @Override public int featureWidth() { return vision.hiddenSize(); }

    @Override
    public int featureRows() {
        return vision.numPositions() - (select == SelectStrategy.DEFAULT ? 1 : 0);
    }

    @Override
    public HfVisionModel build(Params params) {
        return switch (vision.family()) {
            case CLIP -> new ClipVisionModel(this, params);
            case SIGLIP -> new SiglipVisionModel(this, params);
        };
    }
}
