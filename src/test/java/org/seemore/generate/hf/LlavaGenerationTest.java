package org.seemore.generate.hf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.image.ImageSource;
import org.seemore.generate.Sampler;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llama.LlamaWeights;
import org.seemore.model.llava.LlavaImageEncoder;
import org.seemore.model.llava.LlavaModel;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;

/**
 * LLaVA through the session's plug-in on tiny CLIP + Llama and SigLIP + Qwen2 directories: the
 * greedy reply equals {@link LlavaModel#generate} on the same processed prompt, and a prefill in
 * chunks gives the logits of one pass.
 */
class LlavaGenerationTest {
    @TempDir
    static Path tmp;
    static Path clip, siglip;
    static ImageSource red, blue;

    @BeforeAll
    static void build() {
        clip = TinyLlavaModels.clip(tmp.resolve("llava"));
        siglip = TinyLlavaModels.siglip(tmp.resolve("llava-siglip"));
        red = new ImageSource.FileImage(TinyLlavaModels.png(tmp.resolve("red.png"), 40, 30, 1));
        blue = new ImageSource.FileImage(TinyLlavaModels.png(tmp.resolve("blue.png"), 24, 48, 2));
    }

    private static void assertGreedyAsLlavaGenerate(Path dir, List<Turn> conversation, int images) {
        HfSession session = HfSession.open(dir);
        HfSession.Prompt prompt = session.prompt(conversation);
        StringBuilder streamed = new StringBuilder();

        HfSession.Reply reply = session.generate(prompt, new HfSession.Settings(8, Sampler.greedy()), new Rng(1), streamed::append);

        int[] expected = TinyLlavaModels.greedyReply(dir, prompt, 8, TinyLlavaModels.eosIds(session));
        assertThat(Arrays.stream(prompt.ids()).filter(id -> id == TinyLlavaModels.IMAGE).count()).isEqualTo(16L * images);
        assertThat(prompt.pixelValues().shape()).containsExactly(images, 3, 32, 32);
        assertThat(expected).isNotEmpty();
        assertThat(reply.ids()).containsExactly(expected);
        assertThat(streamed.toString()).isEqualTo(reply.text());
    }

    @Test
    void aClipLlavaRepliesAsLlavaGenerate() {
        assertGreedyAsLlavaGenerate(clip, List.of(Turn.user("What is shown?", List.of(red))), 1);
    }

    @Test
    void aSiglipLlavaRepliesAsLlavaGenerateWithAnImageInEachOfTwoTurns() {
        assertGreedyAsLlavaGenerate(siglip, List.of(Turn.user("What is this?", List.of(red)), Turn.assistant("the world"),
                Turn.user("And this?", List.of(blue))), 2);
    }

    @Test
    void theImageTokensAreTheConfigs() {
        HfLanguageModel model = HfModels.load(HfModelDirectory.open(clip));
        assertThat(model.imageTokens()).contains(new ImageTokens(500, 16));
        assertThat(model.maxPositions()).isEqualTo(128);
        assertThat(model.vocabSize()).isEqualTo(512);
    }

    @Test
    void aChunkedPrefillEqualsOnePass() {
        HfSession session = HfSession.open(clip);
        HfSession.Prompt prompt = session.prompt(List.of(Turn.user("Hello there", List.of(red)))); // the 16 image tokens span chunks
        HfModelDirectory hf = HfModelDirectory.open(clip);
        LlavaModel model = LlavaModel.load(hf);
        LlavaImageEncoder images = LlavaImageEncoder.load(hf);
        LlamaWeights language = LlamaGeneration.weights(hf, LlavaGeneration.LANGUAGE_PREFIX, WeightDtype.AUTO);
        float[] onePass, chunked;
        try (var ignored = GradMode.noGrad()) {
            int capacity = prompt.ids().length + 2;
            onePass = new LlavaGeneration(images, language, 1000).start(prompt.ids(), prompt.pixelValues(), capacity).logits().clone();
            HfLanguageModel.Generation generation = new LlavaGeneration(images, language, 5).start(prompt.ids(), prompt.pixelValues(), capacity);
            chunked = generation.logits().clone();
            float[] full = model.forward(prompt.pixelValues(), prompt.ids(), null, 1).logits().toArray();
            float[] last = Arrays.copyOfRange(full, full.length - 512, full.length);
            assertThat(maxDiff(last, onePass)).as("max |forward - one pass|").isLessThan(1e-5f);
        }
        assertThat(maxDiff(onePass, chunked)).as("max |one pass - chunked|").isLessThan(1e-5f);
    }

    private static float maxDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }

    @Test
    void aListenerThatSaysStopEndsTheReplyThere() {
        HfSession session = HfSession.open(clip);
        HfSession.Prompt prompt = session.prompt(List.of(Turn.user("What is shown?", List.of(red))));
        HfSession.Settings settings = new HfSession.Settings(8, Sampler.greedy());
        int[] full = session.generate(prompt, settings, new Rng(1), text -> {}).ids();
        int[] seen = {0};

        HfSession.Reply cut = session.generate(prompt, settings, new Rng(1), text -> {}, token -> ++seen[0] <= 2);

        assertThat(full.length).isGreaterThan(2);
        assertThat(cut.ids()).containsExactly(Arrays.copyOf(full, 2));
        assertThat(cut.stop()).isEqualTo(HfSession.Stop.CANCELLED);
    }
}
