package org.seemore.model.hf;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The activation functions Hugging Face configs name ({@code hidden_act}, {@code projector_hidden_act}). */
public enum Activation {
    /** Exact GELU, {@code x·Φ(x)} with erf. */
    GELU("gelu"),
    /** GELU's tanh approximation; transformers' {@code gelu_new} is the same function. */
    GELU_TANH("gelu_pytorch_tanh", "gelu_new"),
    /** OpenAI CLIP's {@code x·sigmoid(1.702·x)}. */
    QUICK_GELU("quick_gelu"),
    /** {@code x·sigmoid(x)}, the SwiGLU gate of Llama, Qwen2 and Mixtral. */
    SILU("silu", "swish"),
    RELU("relu");

    private final String[] names;

    Activation(String... names) {
        this.names = names;
    }

    /** The name configs use (the first of its spellings). */
    public String configName() {
        return names[0];
    }

    /** The activation a config spells {@code name}, if seemore knows it. */
    public static Optional<Activation> fromConfigName(String name) {
        return Arrays.stream(values()).filter(a -> Arrays.asList(a.names).contains(name)).findFirst();
    }

    /** Every spelling, for error messages. */
    static String known() {
        return Arrays.stream(values()).flatMap(a -> Arrays.stream(a.names)).collect(Collectors.joining(", "));
    }

    /** Reads {@code key} of {@code json}, {@code fallback} when absent. */
    static Activation read(ConfigJson json, String key, Activation fallback) {
        String name = json.string(key, fallback.configName());
        return fromConfigName(name).orElseThrow(() -> json.error(key, "unknown activation \"" + name + "\" (seemore knows " + known() + ")"));
    }
}
