package org.seemore.generate.hf;

import java.util.Optional;
import java.util.function.IntFunction;
import org.seemore.tensor.Tensor;

/**
 * A Hugging Face model that {@link HfSession} generates with: prompt ids (image tokens already
 * expanded) and the images' pixel values in, the logits of each next position out, over a KV cache.
 * This is where a model family plugs in: {@link LlamaGeneration} runs Llama, Qwen2 and Mixtral on the
 * inference path, {@link LlavaGeneration} LLaVA (vision
 * tower, projector, a decoder, features scattered onto the image tokens), each chosen in {@link HfModels#load}.
 */
public interface HfLanguageModel {

    /** The longest sequence, prompt and generated tokens together ({@code max_position_embeddings}). */
    int maxPositions();

    /** The length of a logits row (the model's {@code vocab_size}, which may exceed the tokenizer's). */
    int vocabSize();

    /** How the weights are held in memory, for a status line: e.g. {@code bf16, 269.1 MB}. */
    String weightsInMemory();

    /** How images enter the prompt, or empty for a text-only model (which then refuses images). */
    default Optional<ImageTokens> imageTokens() {
        return Optional.empty();
    }

    /**
     * Runs the prompt through the model (the prefill) and returns the generation state, whose
     * {@link Generation#logits} are the last prompt position's.
     *
     * @param promptIds   the prompt's token ids, each image already expanded to its image tokens
     * @param pixelValues (N, 3, H, W) for the N images in prompt order, or null when there are none
     * @param capacity    the most positions the sequence will reach (prompt + new tokens fed back)
     */
    Generation start(int[] promptIds, Tensor pixelValues, int capacity);

    /** One sequence being generated, over its KV cache. */
    interface Generation {
        /** The logits (V) that choose the next token; valid until the next {@link #step}. */
        float[] logits();

        /** Appends {@code token} at the next position; returns the logits that follow it. */
        float[] step(int token);

        /** A generation whose logits are {@code first} until its first step, each step's those {@code step} returns. */
        static Generation of(float[] first, IntFunction<float[]> step) {
            return new Generation() {
                private float[] logits = first;

                @Override
                public float[] logits() {
                    return logits;
                }

                @Override
                public float[] step(int token) {
                    logits = step.apply(token);
                    return logits;
                }
            };
        }
    }
}
