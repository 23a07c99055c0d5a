package org.seemore.model.llava;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.seemore.UserException;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.hf.HfWeights;
import org.seemore.model.hf.LlavaConfig;
import org.seemore.model.hfvision.HfVisionModel;
import org.seemore.model.llama.GreedyDecoder;
import org.seemore.model.llama.LlamaModel;
import org.seemore.nn.Params;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Indexing;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * Hugging Face's {@code LlavaForConditionalGeneration} (transformers 4.45, processor-expanded image
 * tokens) in float32 with autodiff: the CLIP or SigLIP tower's hidden state at
 * {@code vision_feature_layer} (CLS dropped for "default"), the {@link LlavaProjector}, and a Llama
 * or Qwen2 {@link LlamaModel} whose input embeddings have the k-th image token (row-major over batch,
 * then position) replaced by the k-th projected feature row, as {@code masked_scatter} does.
 * Parameters carry the checkpoint's names: {@code vision_tower.vision_model.*},
 * {@code multi_modal_projector.*}, {@code language_model.model.*}, {@code language_model.lm_head.weight}.
 */
public final class LlavaModel {
    private final LlavaConfig config;
    private final LlavaImageEncoder images;
    private final LlamaModel language;
    private final Map<String, Tensor> parameters;

    /**
     * One forward pass: {@code logits} (B, T, V), the tower's selected {@code visionFeature}
     * (images, Nv, D) and the projected {@code imageFeatures} (images, Nv, C); both null without images.
     */
    public record Output(Tensor logits, Tensor visionFeature, Tensor imageFeatures) {}

    /**
     * Greedy generation: {@code outputIds} (B, T + steps) row-major, the prompt then the new tokens,
     * and the {@code logits} (B, steps, V) that chose them. With end ids, a sequence that ended before
     * the others continues with the ids the decoder chose (HF pads them): cut at its first end id.
     */
    public record Generation(int[] outputIds, float[] logits, int batch, int steps) {}

    /** A model with fresh weights, its parameters created under {@code params} with their HF names. */
    public LlavaModel(LlavaConfig config, Params params) {
        this.config = config;
        Set<String> before = Set.copyOf(params.all().keySet());
        images = new LlavaImageEncoder(config, params);
        language = new LlamaModel(config.text(), params.sub("language_model"));
        Map<String, Tensor> own = new LinkedHashMap<>();
        params.all().forEach((name, t) -> {
            if (!before.contains(name)) own.put(name, t);
        });
        parameters = Collections.unmodifiableMap(own);
    }

    /** The model of a LLaVA directory (HfModelDirectory has checked its tensors against the config). */
    public static LlavaModel load(HfModelDirectory directory) {
        LlavaConfig config = LlavaImageEncoder.config(directory);
        LlavaModel model;
        try {
            model = new LlavaModel(config, new Params(new Rng(0)));
        } catch (IllegalArgumentException e) {
            throw new UserException(directory.directory() + ": " + e.getMessage());
        }
        HfWeights.load(model.parameters, directory.weights());
        return model;
    }

    public LlavaConfig config() { return config; }
    public HfVisionModel visionTower() { return images.tower(); }
    public LlavaProjector projector() { return images.projector(); }
    public LlamaModel languageModel() { return language; }

    /** Every parameter by HF name, in creation order (tower, projector, language model). */
    public Map<String, Tensor> parameters() {
        return parameters;
    }

    /**
     * pixel_values (images, C, S, S) or null, input_ids (B*T, row-major, image tokens already expanded
     * to {@code image_seq_length} per image) and attention_mask (B*T, or null for all ones) -> logits
     * and the image features. Positions are 0 .. T-1, as HF's forward.
     */
    public Output forward(Tensor pixelValues, int[] inputIds, int[] attentionMask, int batch) {
        Inputs in = inputs(pixelValues, inputIds, batch);
        return new Output(language.forwardEmbeddings(in.embeddings(), attentionMask).logits(), in.visionFeature(), in.imageFeatures());
    }

    /**
     * The decoder's input embeddings (B, T, C) for pixel_values (or null) and input_ids (B*T, image
     * tokens expanded): the text embeddings with the k-th image token's row replaced by the k-th
     * projected feature row; what {@link #forward} and {@link #generate} feed the decoder, for a
     * caller that decodes over its own KV cache.
     */
    public Tensor inputEmbeddings(Tensor pixelValues, int[] inputIds, int batch) {
        return inputs(pixelValues, inputIds, batch).embeddings();
    }

    /** The merged input embeddings (B, T, C) and the features they hold. */
    private record Inputs(Tensor embeddings, Tensor visionFeature, Tensor imageFeatures) {}

    private Inputs inputs(Tensor pixelValues, int[] inputIds, int batch) {
        if (batch < 1 || inputIds.length % batch != 0) throw new IllegalArgumentException(inputIds.length + " input ids for a batch of " + batch);
        int count = pixelValues == null ? 0 : pixelValues.dim(0), rows = images.featureRows();
        images.checkImageTokens(inputIds, count);
        Tensor text = language.embed(inputIds, batch);                                   // (B, T, C)
        if (count == 0) return new Inputs(text, null, null);
        Tensor visionFeature = images.tower().features(pixelValues);                     // (I, Nv, D)
        Tensor imageFeatures = images.projector().forward(visionFeature);                // (I, Nv, C)
        int c = text.dim(2), n = inputIds.length;
        // masked_scatter as a gather from [text rows; feature rows]: the k-th image token takes feature row k
        Tensor rowsBoth = Shaping.concat(0, Shaping.reshape(text, n, c), Shaping.reshape(imageFeatures, count * rows, c));
        int[] index = new int[n];
        for (int i = 0, k = 0; i < n; i++) index[i] = inputIds[i] == config.imageTokenIndex() ? n + k++ : i;
        Tensor merged = Shaping.reshape(Indexing.indexSelect(rowsBoth, index), batch, n / batch, c);
        return new Inputs(merged, visionFeature, imageFeatures);
    }

    /**
     * LLaVA's loss (4.45): {@code logits[:, t]} predicts {@code labels[:, t+1]} where
     * {@code attention_mask[:, t+1]} is 1 (all of them when the mask is null), labels of -100 are
     * skipped, one mean over every counted token of the batch.
     */
    public static Tensor loss(Tensor logits, int[] labels, int[] attentionMask) {
        int b = logits.dim(0), t = logits.dim(1);
        if (labels.length != b * t) throw new IllegalArgumentException(labels.length + " labels for " + b + " x " + t + " positions");
        if (attentionMask != null && attentionMask.length != b * t) throw new IllegalArgumentException(attentionMask.length + " mask values for " + b + " x " + t + " positions");
        int[] shifted = new int[b * t];
        for (int i = 0; i < b * t; i++) {
            boolean next = i % t + 1 < t && (attentionMask == null || attentionMask[i + 1] != 0);
            shifted[i] = next ? labels[i + 1] : NnOps.IGNORE_INDEX;
        }
        return NnOps.crossEntropy(Shaping.reshape(logits, b * t, logits.dim(2)), shifted);
    }

    /**
     * Greedy decoding over a KV cache, as {@code generate(do_sample=False, num_beams=1)}: the prompt with
     * its images in one pass, then one token per step, at most {@code maxNewTokens}, stopping once every
     * sequence has produced one of {@code eosIds}.
     */
    public Generation generate(Tensor pixelValues, int[] inputIds, int[] attentionMask, int batch, int maxNewTokens, Collection<Integer> eosIds) {
        if (maxNewTokens < 1) throw new IllegalArgumentException("max new tokens must be at least 1, got " + maxNewTokens);
        Tensor embeddings;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            embeddings = inputs(pixelValues, inputIds, batch).embeddings();
        }
        int t = inputIds.length / batch;
        if (t + maxNewTokens > config.text().maxPositionEmbeddings()) {
            throw new UserException("a prompt of " + t + " tokens and " + maxNewTokens + " new ones exceed the model's " + config.text().maxPositionEmbeddings()
                    + " positions (max_position_embeddings)");
        }
        GreedyDecoder.Result result = new GreedyDecoder(language).generate(embeddings, attentionMask, maxNewTokens, Set.copyOf(eosIds));
        int steps = result.steps();
        int[] out = new int[batch * (t + steps)];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(inputIds, b * t, out, b * (t + steps), t);
            System.arraycopy(result.tokens(), b * steps, out, b * (t + steps) + t, steps);
        }
        return new Generation(out, result.logits(), batch, steps);
    }
}
