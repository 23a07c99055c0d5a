package org.seemore.generate.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.io.HfFixtures;
import org.seemore.model.hf.Architecture;
import org.seemore.model.hf.HfModelDirectory;

/** Which directories are Hugging Face ones, and which architectures generate. */
class HfModelsTest {
    @TempDir
    Path tmp;

    @Test
    void aConfigNamingAModelClassOrTypeIsHuggingFaces() throws IOException {
        Files.writeString(Files.createDirectories(tmp.resolve("own")).resolve("config.json"), "{\"img_size\": 32, \"vocab_size\": 40}");
        Files.writeString(Files.createDirectories(tmp.resolve("typed")).resolve("config.json"), "{\"model_type\": \"llama\"}");
        Files.writeString(Files.createDirectories(tmp.resolve("broken")).resolve("config.json"), "{");

        assertThat(HfModels.isHuggingFace(HfFixtures.model("qwen2"))).isTrue();
        assertThat(HfModels.isHuggingFace(tmp.resolve("typed"))).isTrue();
        assertThat(HfModels.isHuggingFace(tmp.resolve("own"))).isFalse();
        assertThat(HfModels.isHuggingFace(tmp.resolve("broken"))).isFalse();
        assertThat(HfModels.isHuggingFace(tmp.resolve("missing"))).isFalse();
    }

    @Test
    void commandsForSeemoresOwnModelsRefuseAHuggingFaceCheckpointInOneLine() {
        assertThatThrownBy(() -> org.seemore.model.ModelDirectory.load(HfFixtures.model("qwen2"))).isInstanceOf(UserException.class)
                .hasMessageEndingWith("qwen2: a Hugging Face checkpoint, which this command does not read (seemore caption, eval, chat and serve do)");
    }

    @Test
    void onlyLlavaReadsImages() {
        for (Architecture a : Architecture.values()) assertThat(HfModels.readsImages(a)).isEqualTo(a == Architecture.LLAVA);
    }

    @Test
    void everyDecoderAndLlavaGenerateAndAVisionTowerAloneIsRefusedBeforeTheTokenizerIsRead() {
        assertThat(HfModels.load(HfModelDirectory.open(HfFixtures.model("llava")))).isInstanceOf(LlavaGeneration.class);
        assertThat(HfModels.load(HfModelDirectory.open(HfFixtures.model("mixtral")))).isInstanceOf(LlamaGeneration.class); // experts run on FastDecoder too
        assertThat(HfModels.load(HfModelDirectory.open(HfFixtures.model("llama")))).isInstanceOf(LlamaGeneration.class);
        assertThat(HfModels.load(HfModelDirectory.open(HfFixtures.model("qwen2")))).isInstanceOf(LlamaGeneration.class);
        assertThatThrownBy(() -> HfSession.open(HfFixtures.model("clip-vision"))).isInstanceOf(UserException.class)
                .hasMessageContaining("CLIPVisionModel is a vision encoder alone and cannot generate text");
    }
}
