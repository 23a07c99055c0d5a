package org.seemore.train;

import java.util.List;
import org.seemore.tensor.Tensor;

/**
 * One padded mini-batch: images (B, 3, S, S) or null for text-only data, input tokens (B*T) and
 * targets (B*T) where {@code targets[b, t]} is the token that must follow input position t, or
 * {@link org.seemore.tensor.NnOps#IGNORE_INDEX} where nothing is scored (prompt, padding).
 */
public record Batch(Tensor images, int[] tokens, int[] targets, int size, int length, int countedTokens) {

    /** A batch of {@code size} sequences of equal length, from flat (B*T) tokens and targets. */
    public static Batch of(Tensor images, int[] tokens, int[] targets, int size) {
        if (size <= 0 || tokens.length % size != 0 || targets.length != tokens.length) {
            throw new IllegalArgumentException(tokens.length + " tokens and " + targets.length + " targets are not " + size + " equal rows");
        }
        int counted = 0;
        for (int t : targets) if (t >= 0) counted++;
        return new Batch(images, tokens, targets, size, tokens.length / size, counted);
    }

    /**
     * Pads the encoded sequences and stacks the images.
     *
     * @param images one preprocessed (3, S, S) image per sequence, or null for text-only data
     */
    public static Batch assemble(List<SequenceEncoder.Encoded> sequences, List<float[]> images, int imageSize) {
        int[][] padded = SequenceEncoder.pad(sequences);
        int b = sequences.size();
        Tensor stacked = null;
        if (images != null) {
            int per = 3 * imageSize * imageSize;
            float[] pixels = new float[b * per];
            for (int i = 0; i < b; i++) System.arraycopy(images.get(i), 0, pixels, i * per, per);
            stacked = Tensor.of(pixels, b, 3, imageSize, imageSize);
        }
        int counted = 0;
        for (int t : padded[1]) if (t >= 0) counted++;
        return new Batch(stacked, padded[0], padded[1], b, padded[2][0], counted);
    }
}
