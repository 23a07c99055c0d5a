package org.seemore.model.decoder;

import org.seemore.model.TensorSizes;
import org.seemore.model.LanguageModel;
import org.seemore.model.moe.MoeConfig;
import org.seemore.nn.Params;

/**
 * The MoE decoder's hyper-parameters, immutable and validated. Messages use the reference's config
 * names, as a user wrote them in config.json.
 *
 * @param width        embedding width C
 * @param heads        attention heads
 * @param layers       blocks
 * @param vocabSize    tokenizer vocabulary V
 * @param maxPositions position table (visual + text tokens)
 * @param moe          every block's mixture of experts
 */
public record DecoderConfig(int width, int heads, int layers, int vocabSize, int maxPositions, MoeConfig moe)
        implements LanguageModel.Config {

    public DecoderConfig {
        positive("n_embd", width);
        positive("n_head", heads);
        positive("n_layer", layers);
        positive("vocab_size", vocabSize);
        positive("max_pos", maxPositions);
        if (width % heads != 0) throw new IllegalArgumentException("n_embd " + width + " must be divisible by n_head " + heads);
        if (moe == null) throw new IllegalArgumentException("the decoder needs a MoE config");
        long c = width;
        TensorSizes.fits("n_embd " + width + " makes each expert's weight", 4 * c, c);
        TensorSizes.fits("vocab_size " + vocabSize + " makes the token embedding", vocabSize, c);
        TensorSizes.fits("max_pos " + maxPositions + " makes the position table", maxPositions, c);
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }

    @Override
    public int numExperts() { return moe.numExperts(); }

    @Override
    public int topK() { return moe.topK(); }

    @Override
    public Decoder build(Params params) { return new Decoder(params, this); }

    public DecoderConfig withHeads(int h) { return new DecoderConfig(width, h, layers, vocabSize, maxPositions, moe); }

    @Override
    public DecoderConfig withVocabSize(int v) { return new DecoderConfig(width, heads, layers, v, maxPositions, moe); }

    public DecoderConfig withMaxPositions(int m) { return new DecoderConfig(width, heads, layers, vocabSize, m, moe); }

    public DecoderConfig withMoe(MoeConfig m) { return new DecoderConfig(width, heads, layers, vocabSize, maxPositions, m); }
}
