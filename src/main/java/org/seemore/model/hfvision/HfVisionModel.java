package org.seemore.model.hfvision;

import java.util.List;
import java.util.Map;
import org.seemore.UserException;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.model.ForwardContext;
import org.seemore.model.VisionTower;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.hf.HfWeights;
import org.seemore.model.hf.LlavaConfig.SelectStrategy;
import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.Params;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * A Hugging Face image tower, {@code CLIPVisionModel} or {@code SiglipVisionModel}, in float32 with
 * autodiff, its parameters under the HF names ({@code vision_model.encoder.layers.0.self_attn.q_proj.weight}),
 * so the tower of a vision-model, dual-encoder or LLaVA checkpoint loads as is. As a {@link VisionTower}
 * its feature rows are the hidden state and rows its {@link HfVisionTowerConfig} selects.
 */
public sealed interface HfVisionModel extends VisionTower permits ClipVisionModel, SiglipVisionModel {

    /**
     * What the HF model returns with {@code output_hidden_states=True}: {@code last_hidden_state}
     * (B, N, D), {@code pooler_output} (B, D; null for a SigLIP tower without a head) and the hidden
     * states, index 0 the encoder's input, index i the output of layer i.
     */
    record Output(Tensor lastHiddenState, Tensor poolerOutput, List<Tensor> hiddenStates) {}

    @Override
    HfVisionTowerConfig config();

    /** The parameters by full name (HF names behind the prefix of the scope the tower was built in). */
    Map<String, Tensor> parameters();

    /** images (B, C, S, S) -> last hidden state, pooled output and every hidden state. */
    Output forward(Tensor images);

    /** images (B, C, S, S) -> hidden states 0 .. {@code count} (the encoder's input and the first {@code count} layers' outputs). */
    List<Tensor> hiddenStates(Tensor images, int count);

    /** images (B, C, S, S) -> the selected feature rows (B, Nv, D); layers after the selected one are not run. */
    default Tensor features(Tensor images) {
        HfVisionTowerConfig c = config();
        Tensor state = hiddenStates(images, c.featureIndex()).getLast();                  // (B, N, D)
        return c.select() == SelectStrategy.DEFAULT ? Shaping.slice(state, 1, 1, state.dim(1) - 1) : state;
    }

    /** The tower has no dropout (HF's attention_dropout is 0 in every released tower): {@code ctx} changes nothing. */
    @Override
    default Tensor encode(Tensor images, ForwardContext ctx) {
        return features(images);
    }

    /** The tower of a CLIPVisionModel, SiglipVisionModel, CLIPModel or SiglipModel directory, features from its last layer. */
    static HfVisionModel load(HfModelDirectory directory) {
        if (!(directory.config().config() instanceof VisionConfig vision)) {
            throw new UserException(directory.directory() + ": a " + directory.architecture().className + " is not a vision tower");
        }
        return load(HfVisionTowerConfig.lastLayer(vision), directory.weights());
    }

    /** A tower of {@code config} with the weights {@code checkpoint} holds under {@code vision_model.}. */
    static HfVisionModel load(HfVisionTowerConfig config, SafetensorsCheckpoint checkpoint) {
        HfVisionModel model = config.build(new Params(new Rng(0)));
        HfWeights.load(model.parameters(), checkpoint);
        return model;
    }
}
