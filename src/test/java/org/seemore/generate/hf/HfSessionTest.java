package org.seemore.generate.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.image.ImageSource;
import org.seemore.generate.Sampler;
import org.seemore.model.llama.LlamaModel;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/** HfSession on tiny Llama and Qwen2 directories: its replies against GreedyDecoder and a full forward on the rendered prompt. */
class HfSessionTest {
    @TempDir
    static Path tmp;
    static Path qwen, llama;

    @BeforeAll
    static void build() {
        qwen = TinyHfModels.qwen2Chatml(tmp.resolve("qwen"));
        llama = TinyHfModels.llamaChat(tmp.resolve("llama"));
    }

    static LlamaModel model(Path dir) {
        return TinyHfModels.model(dir);
    }

    static int[] expectedGreedy(Path dir, List<Map<String, String>> messages, int steps, Set<Integer> eos) {
        return TinyHfModels.greedyReply(dir, messages, steps, eos);
    }

    @Test
    void aGreedyReplyIsGreedyDecodersTokensOnTheRenderedPrompt() {
        HfSession session = HfSession.open(qwen);
        List<Turn> turns = List.of(Turn.system("You are concise."), Turn.user("Hello there, how are you?", List.of()));
        HfSession.Prompt prompt = session.prompt(turns);
        List<Map<String, String>> messages = List.of(Map.of("role", "system", "content", "You are concise."),
                Map.of("role", "user", "content", "Hello there, how are you?"));

        assertThat(prompt.text()).isEqualTo("<|im_start|>system\nYou are concise.<|im_end|>\n<|im_start|>user\nHello there, how are you?<|im_end|>\n<|im_start|>assistant\n");
        assertThat(prompt.ids()[0]).isEqualTo(TinyHfModels.IM_START);
        StringBuilder streamed = new StringBuilder();
        HfSession.Reply reply = session.generate(prompt, new HfSession.Settings(12, Sampler.greedy()), new Rng(1), streamed::append);

        int[] expected = expectedGreedy(qwen, messages, 12, session.eosIds());
        assertThat(reply.ids()).containsExactly(expected);
        assertThat(reply.text()).isEqualTo(session.tokenizer().decode(expected));
        assertThat(streamed.toString()).isEqualTo(reply.text());
        assertThat(session.eosIds()).containsExactly(TinyHfModels.IM_END); // Qwen2's generation_config has none: the tokenizer's eos_token
    }

    @Test
    void generationStopsAtAnEosIdOfTheGenerationConfig() throws IOException {
        Path dir = TinyHfModels.llamaChat(tmp.resolve("llama-eos"));
        List<Map<String, String>> messages = List.of(Map.of("role", "user", "content", "Hello"));
        int third = expectedGreedy(dir, messages, 6, Set.of())[2];
        Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": [" + third + ", 2]}");

        HfSession session = HfSession.open(dir);
        HfSession.Reply reply = session.generate(session.prompt(List.of(Turn.user("Hello", List.of()))),
                new HfSession.Settings(6, Sampler.greedy()), new Rng(1), text -> {});

        assertThat(session.eosIds()).contains(third, 2);
        int[] expected = expectedGreedy(dir, messages, 6, Set.of(third, 2));
        assertThat(expected.length).isLessThanOrEqualTo(2);
        assertThat(reply.ids()).containsExactly(expected);
        assertThat(reply.stop()).isEqualTo(HfSession.Stop.EOS);
    }

    @Test
    void sampledRepliesFollowTheSeedAndEqualARecomputationWithoutCache() {
        HfSession session = HfSession.open(llama);
        HfSession.Prompt prompt = session.prompt(List.of(Turn.user("How are you?", List.of())));
        Sampler sampler = Sampler.of(1.5, 0, 0.95);
        HfSession.Reply a = session.generate(prompt, new HfSession.Settings(8, sampler), new Rng(7), text -> {});
        HfSession.Reply b = session.generate(prompt, new HfSession.Settings(8, sampler), new Rng(7), text -> {});

        // the same draws over full forward passes of the growing sequence
        LlamaModel model = model(llama);
        Rng rng = new Rng(7);
        List<Integer> expected = new ArrayList<>();
        int[] sequence = prompt.ids();
        try (var ignored = GradMode.noGrad()) {
            for (int step = 0; step < 8; step++) {
                Tensor logits = model.forward(sequence, null, 1).logits(); // (1, T, V)
                int v = logits.dim(2), t = logits.dim(1);
                int next = sampler.sample(logits.data(), logits.offset() + (t - 1) * v, v, rng);
                if (session.eosIds().contains(next)) break;
                expected.add(next);
                sequence = Arrays.copyOf(sequence, sequence.length + 1);
                sequence[sequence.length - 1] = next;
            }
        }
        assertThat(a.ids()).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
        assertThat(b.ids()).containsExactly(a.ids());
    }

    @Test
    void historyIsRenderedWithEveryTurn() {
        HfSession session = HfSession.open(llama);
        String text = session.render(List.of(Turn.user("Hello", List.of()), Turn.assistant("Hi you"), Turn.user("How are you?", List.of())));

        assertThat(text).isEqualTo("<s>[INST] Hello [/INST] Hi you </s><s>[INST] How are you? [/INST]");
    }

    @Test
    void aPromptLongerThanTheModelsPositionsIsOneLine() {
        HfSession session = HfSession.open(qwen);
        HfSession.Prompt prompt = session.prompt(List.of(Turn.user("x".repeat(300), List.of())));

        assertThatThrownBy(() -> session.generate(prompt, new HfSession.Settings(4, Sampler.greedy()), new Rng(1), text -> {}))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("max_position_embeddings (128)").hasMessageNotContaining("\n");
    }

    @Test
    void aReplyStopsWhenTheSequenceFillsThePositionTable() {
        HfSession session = HfSession.open(qwen);
        HfSession.Prompt prompt = session.prompt(List.of(Turn.user("x".repeat(110), List.of())));
        int room = 128 - prompt.ids().length + 1;
        HfSession.Reply reply = session.generate(prompt, new HfSession.Settings(500, Sampler.greedy()), new Rng(1), text -> {});

        assertThat(reply.stop()).isIn(HfSession.Stop.CONTEXT_FULL, HfSession.Stop.EOS);
        if (reply.stop() == HfSession.Stop.CONTEXT_FULL) assertThat(reply.ids()).hasSize(room);
    }

    @Test
    void aTextOnlyModelRefusesImages() {
        HfSession session = HfSession.open(qwen);

        assertThat(session.readsImages()).isFalse();
        assertThatThrownBy(() -> session.prompt(List.of(Turn.user("What is this?", List.of(new ImageSource.FileImage(tmp.resolve("a.png")))))))
                .isInstanceOf(UserException.class).hasMessageContaining("text-only Qwen2ForCausalLM: it cannot take images");
    }

    @Test
    void withoutAChatTemplateChatIsRefusedAndARawPromptIsTheTokenizersFraming() {
        Path dir = TinyHfModels.build(tmp.resolve("plain"), "qwen2", null, Map.of());
        HfSession session = HfSession.open(dir);

        assertThatThrownBy(() -> session.render(List.of(Turn.user("Hi", List.of()))))
                .isInstanceOf(UserException.class).hasMessageContaining("no chat template");
        assertThat(session.rawPrompt("Hello there", List.of()).ids()).containsExactly(session.tokenizer().encode("Hello there", true));
        assertThatThrownBy(() -> session.rawPrompt("", List.of())).isInstanceOf(UserException.class).hasMessageContaining("the prompt is empty");
    }

    @Test
    void aDirectoryWithoutTokenizerIsOneLine() throws IOException {
        Path dir = TinyHfModels.qwen2Chatml(tmp.resolve("no-tokenizer"));
        Files.delete(dir.resolve("tokenizer.json"));

        assertThatThrownBy(() -> HfSession.open(dir)).isInstanceOf(UserException.class).hasMessageContaining("has no tokenizer");
    }
}
