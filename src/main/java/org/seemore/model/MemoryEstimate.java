package org.seemore.model;

import org.seemore.model.vision.VitConfig;

/**
 * What a model of the seemore family (ViT, MLP projector, MoE decoder) takes in memory, from its config alone, so that a command can refuse a model too
 * large for the JVM before allocating anything (a 16384-wide decoder otherwise runs out of heap
 * after half a minute). Every figure is in bytes, 4 per float.
 *
 * <p>Parameters are counted exactly (a test compares the count with the built model's). Activations
 * are an estimate: the floats each op of a forward pass writes and keeps (in training for its
 * backward step; in inference the step arena holds them until the batch ends), counted per position
 * for each block of the code, and the probabilities each attention head keeps (rows padded to 16).
 * The pool's size classes add up to 1/8 on top. Checked against the step arena's measured peak
 * (MemoryEstimateTest): on the small and seemore presets at batch 4 to 32 it is 8% to 30% above it
 * (up to 2x on the tiny preset, whose many small arrays the pool does not hold, so does not measure).
 *
 * <p>Legend: B batch, T text tokens, L = Nv + T decoder positions, R = N + 1 vision rows, D vision
 * width, C decoder width, k experts per token, E experts, V vocabulary.
 */
public final class MemoryEstimate {
    private MemoryEstimate() {}

    /** Parameters per component (the checkpoint's name prefixes {@code vision.}, {@code projector.}, {@code decoder.}). */
    public record ParameterCount(long vision, long projector, long decoder) {
        public long total() { return vision + projector + decoder; }
    }

    /** The parameter count, as {@link Vlm#parameterCount()} would give it once built. */
    public static ParameterCount parameters(VlmConfig config) {
        long d = flat(config).visionWidth(), c = flat(config).width(), e = flat(config).numExperts(), v = config.vocabSize();
        long p = flat(config).patchSize(), rows = numPatches(config) + 1L;
        long visionBlock = 2 * d + 3 * d * d + (d * d + d) + 2 * d + (d * 4 * d + 4 * d) + (4 * d * d + d);
        long vision = d * 3 * p * p + d + d + rows * d + flat(config).visionLayers() * visionBlock + 2 * d;
        long projector = d * 4 * d + 4 * d + 4 * d * c + c;
        long router = 2 * (c * e + e);                                          // gate and noise
        long expert = (c * 4 * c + 4 * c) + (4 * c * c + c);
        long decoderBlock = 2 * c + 3 * c * c + (c * c + c) + 2 * c + router + e * expert;
        long decoder = v * c + (long) config.maxPositions() * c + flat(config).layers() * decoderBlock + 2 * c + (c * v + v);
        return new ParameterCount(vision, projector, decoder);
    }

    /**
     * The activations one training step holds at its peak: the forward pass's, which its backward
     * step needs, and the gradients of about one decoder block alive at a time during the backward
     * pass (measured: 2% to 17% above the forward's peak on the presets).
     *
     * @param images false for text-only training (stage lm): no vision encoder or projector runs
     */
    public static long trainingActivations(VlmConfig config, int batch, int textTokens, boolean images) {
        long floats = forward(config, batch, textTokens, images, true)
                + decoderBlock(config, batch, positions(config, textTokens, images), true);
        return pooled(4 * floats);
    }

    /**
     * The activations of one inference forward pass (evaluation's teacher-forced loss, a
     * generation's prefill): kept until the batch ends, but no attention probabilities.
     */
    public static long inferenceActivations(VlmConfig config, int batch, int textTokens, boolean images) {
        return pooled(4 * forward(config, batch, textTokens, images, false));
    }

    /** Generation's key and value caches: two rows of C floats per position, per layer. */
    public static long kvCache(VlmConfig config, int batch, int positions) {
        return 4L * 2 * flat(config).layers() * batch * Math.min(positions, config.maxPositions()) * flat(config).width();
    }

    private static long positions(VlmConfig config, long textTokens, boolean images) {
        return (images ? config.numVisualTokens() : 0) + textTokens;
    }

    /** Floats a forward pass writes and keeps. */
    private static long forward(VlmConfig config, long b, long t, boolean images, boolean training) {
        long l = positions(config, t, images), c = flat(config).width(), v = config.vocabSize();
        long dropout = training && config.dropout() > 0 ? 1 : 0;
        long floats = 0;
        if (images) floats += vision(config, b, dropout, training) + b * config.numVisualTokens() * (8L * flat(config).visionWidth() + c); // + projector: fc1, GELU, fc2
        floats += b * (t * c + (2 + dropout) * l * c);                             // token embeddings, concat, + positions
        floats += flat(config).layers() * decoderBlock(config, b, l, training);
        floats += b * l * c + b * l * v + 3 * b * t * v;                           // ln_f, logits, the loss's copies
        return floats;
    }

    /** Floats the vision encoder writes and keeps. */
    private static long vision(VlmConfig config, long b, long dropout, boolean training) {
        long d = flat(config).visionWidth(), n = numPatches(config), r = n + 1, p = flat(config).patchSize();
        long embed = b * (n * 3 * p * p + n * d + (2 + dropout) * r * d);         // patches, linear, concat, + positions
        // ln1, qkv (3), attention, proj, add, ln2, fc1 (4), GELU (4), fc2, add: 18 per row, and two dropouts
        long perRow = 18 + 2 * dropout;
        long probs = training ? b * flat(config).visionHeads() * r * padded(r) : 0;
        long blocks = flat(config).visionLayers() * (b * r * d * perRow + probs);
        if (flat(config).imageTokens() == VitConfig.ImageTokens.CLS) {
            blocks -= b * (r - 1) * d * (perRow - 4);                              // the last block: ln1 and keys, values of every row, the rest for CLS alone
        }
        return embed + blocks + b * r * d;                                         // ln_f
    }

    /** Floats one decoder block writes and keeps at L positions. */
    private static long decoderBlock(VlmConfig config, long b, long l, boolean training) {
        long c = flat(config).width(), k = flat(config).topK(), e = flat(config).numExperts();
        long dropout = training && config.dropout() > 0 ? 1 : 0;
        // ln1, qkv (3), attention, proj, add, ln2, the combined experts' output, add: 10 per position; each
        // of the k routes gathers its row, the expert's hidden layer (4C) and output: 6C per route
        long rows = b * l * c * (10 + 6 * k + 2 * dropout);
        long router = b * l * e * 8;                                               // gate and noise logits, softplus, noisy logits, top-k, softmax
        long probs = training ? b * flat(config).heads() * l * padded(l) : 0;
        return rows + router + probs;
    }

    /** The flat seemore-family view (ViT, MLP projector, MoE decoder) this estimate is written for. */
    private static VlmConfigJson flat(VlmConfig config) {
        return VlmConfigJson.of(config);
    }

    private static long numPatches(VlmConfig config) {
        long grid = flat(config).imageSize() / flat(config).patchSize();
        return grid * grid;
    }

    /** Attention rows are padded to whole vectors; 16 floats covers AVX-512. */
    private static long padded(long n) {
        return (n + 15) / 16 * 16;
    }

    /** The pool hands out buffers in size classes of 1/8 of a power of two: up to 1/8 more. */
    private static long pooled(long bytes) {
        return bytes + bytes / 8;
    }
}
