package org.seemore.model.hf;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The Hugging Face model classes seemore reads, as config.json names them: {@code architectures[0]}
 * (the class {@code save_pretrained} was called on), or {@code model_type} when a config has no
 * {@code architectures} (absent, null or empty). The dual encoders CLIP and SigLIP are read for their vision tower only.
 */
public enum Architecture {
    LLAMA("LlamaForCausalLM", "llama"),
    QWEN2("Qwen2ForCausalLM", "qwen2"),
    MIXTRAL("MixtralForCausalLM", "mixtral"),
    CLIP_VISION("CLIPVisionModel", "clip_vision_model"),
    CLIP("CLIPModel", "clip"),
    SIGLIP_VISION("SiglipVisionModel", "siglip_vision_model"),
    SIGLIP("SiglipModel", "siglip"),
    LLAVA("LlavaForConditionalGeneration", "llava");

    /** The transformers class name ({@code architectures}). */
    public final String className;
    /** The config's {@code model_type}. */
    public final String modelType;

    Architecture(String className, String modelType) {
        this.className = className;
        this.modelType = modelType;
    }

    /** The supported class names, for messages. */
    static String supported() {
        return Arrays.stream(values()).map(a -> a.className).collect(Collectors.joining(", "));
    }

    /** The architecture config.json declares; anything else is a one-line error naming it and the supported ones. */
    static Architecture detect(ConfigJson json) {
        JsonNode architectures = json.node().get("architectures");
        if (architectures != null && !architectures.isNull() && !(architectures.isArray() && architectures.isEmpty())) {
            if (!architectures.isArray() || !architectures.get(0).isTextual()) {
                throw json.error("architectures", "expected a list of class names, got " + architectures);
            }
            String name = architectures.get(0).textValue();
            for (Architecture a : values()) if (a.className.equals(name)) return a;
            throw json.error("architecture " + name + " is not supported; seemore reads " + supported());
        }
        if (!json.has("model_type")) throw json.error("neither \"architectures\" nor \"model_type\" says which model this is; seemore reads " + supported());
        String type = json.string("model_type", "");
        for (Architecture a : values()) if (a.modelType.equals(type)) return a;
        throw json.error("model_type " + type + " is not supported; seemore reads " + supported());
    }
}
