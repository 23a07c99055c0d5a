package org.seemore.generate.hf;

import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.model.llama.LlamaWeights;
import org.seemore.model.llama.LlamaWeights.Precision;

/**
 * How a session holds its decoder's weight matrices ({@code --dtype}): {@link #AUTO} as the checkpoint
 * stores them (bfloat16 stays 16-bit; float32 stays float32, float16 is widened to it), or
 * {@link #F32} / {@link #BF16} whatever they are stored as. A LLaVA's vision tower and projector
 * stay float32 either way (they are small).
 */
public enum WeightDtype {
    AUTO, F32, BF16;

    /** The {@code --dtype} value: auto, f32 or bf16. */
    public static WeightDtype parse(String name) {
        return switch (name) {
            case "auto" -> AUTO;
            case "f32" -> F32;
            case "bf16" -> BF16;
            default -> throw new IllegalArgumentException("'" + name + "' (expected auto, f32 or bf16)");
        };
    }

    /** The precision of the decoder behind {@code prefix} in {@code checkpoint}. */
    Precision precision(SafetensorsCheckpoint checkpoint, String prefix) {
        return switch (this) {
            case AUTO -> LlamaWeights.stored(checkpoint, prefix);
            case F32 -> Precision.F32;
            case BF16 -> Precision.BF16;
        };
    }
}
