package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.image.ImageSource;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.TinyHfModels;
import org.seemore.generate.hf.TinyLlavaModels;
import org.seemore.generate.hf.Turn;
import org.seemore.train.Evaluator;

/**
 * caption, eval and chat on tiny LLaVA directories (real towers, projector and decoder): every
 * answer is what {@code LlavaModel.generate} gives on the same processed prompt, computed here.
 */
class HfLlavaCommandsTest {
    @TempDir
    static Path tmp;
    static Path clip, siglip, mixtral, scene, other;

    @BeforeAll
    static void build() {
        clip = TinyLlavaModels.clip(tmp.resolve("llava"));
        siglip = TinyLlavaModels.siglip(tmp.resolve("llava-siglip"));
        mixtral = TinyHfModels.build(tmp.resolve("mixtral"), "mixtral", "chatml", java.util.Map.of("eos_token", "<|im_end|>"));
        scene = TinyLlavaModels.png(tmp.resolve("scene.png"), 40, 30, 1);
        other = TinyLlavaModels.png(tmp.resolve("other.png"), 24, 48, 2);
    }

    /** The greedy reply of {@code dir} to {@code conversation}, at most {@code steps} tokens, decoded. */
    private static String expected(Path dir, List<Turn> conversation, int steps) {
        HfSession session = HfSession.open(dir);
        HfSession.Prompt prompt = session.prompt(conversation);
        return session.tokenizer().decode(TinyLlavaModels.greedyReply(dir, prompt, steps, TinyLlavaModels.eosIds(session)));
    }

    private static List<ImageSource> image(Path file) {
        return List.of(new ImageSource.FileImage(file));
    }

    @Test
    void captionAnswersEachImageAsLlavaGenerate() {
        CliRun run = CliRun.of("caption", "--model", siglip.toString(), "--prompt", "What is shown?", "--max-tokens", "6", scene.toString(), other.toString());

        String first = expected(siglip, List.of(Turn.user("What is shown?", image(scene))), 6).strip();
        String second = expected(siglip, List.of(Turn.user("What is shown?", image(other))), 6).strip();
        assertThat(first + second).isNotBlank(); // random weights: bytes that are not UTF-8, decoded as U+FFFD
        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo(scene + ": " + first + "\n" + other + ": " + second + "\n");
    }

    @Test
    void evalScoresTheGreedyAnswers() throws IOException {
        Files.writeString(tmp.resolve("qa.jsonl"), """
                {"image": "scene.png", "prompt": "What is it?", "answer": "Hello world"}
                {"image": "other.png", "prompt": "And this?", "answer": "the world"}
                """);
        CliRun run = CliRun.of("eval", "--model", clip.toString(), "--data", tmp.resolve("qa.jsonl").toString());

        // HfEval allows the answer's tokens + 16
        HfSession session = HfSession.open(clip);
        String a = expected(clip, List.of(Turn.user("What is it?", image(scene))), session.tokenizer().encode("Hello world").length + 16).strip();
        String b = expected(clip, List.of(Turn.user("And this?", image(other))), session.tokenizer().encode("the world").length + 16).strip();
        int exact = (a.equals("Hello world") ? 1 : 0) + (b.equals("the world") ? 1 : 0);
        double cer = (double) (Evaluator.editDistance(a, "Hello world") + Evaluator.editDistance(b, "the world")) / ("Hello world".length() + "the world".length());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo(String.format(Locale.ROOT, "exact match %.2f%%  character error rate %.2f%%  (2 records)%n", 50.0 * exact, 100 * cer));
    }

    @Test
    void chatAttachesAnImageAndCarriesTheConversation() {
        CliRun run = CliRun.withInput("/image " + scene + "\nWhat is shown?\nAnd now?\n", "chat", "--model", siglip.toString(), "--max-new-tokens", "6");

        List<Turn> conversation = new ArrayList<>(List.of(Turn.user("What is shown?", image(scene))));
        String first = expected(siglip, conversation, 6);
        conversation.add(Turn.assistant(first));
        conversation.add(Turn.user("And now?", List.of()));
        String second = expected(siglip, conversation, 6);
        assertThat(first).isNotBlank();
        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo(first + "\n" + second + "\n");
    }

    @Test
    void mixtralChatsAsGreedyDecoderAndCaptionRefusesIt() throws IOException {
        CliRun run = CliRun.withInput("Hello there\n", "chat", "--model", mixtral.toString(), "--max-new-tokens", "6");

        var tokenizer = org.seemore.data.text.Tokenizers.load(mixtral);
        java.util.Set<Integer> eos = new java.util.HashSet<>(List.of(TinyHfModels.EOS, TinyHfModels.IM_END));
        int[] reply = TinyHfModels.greedyReply(mixtral, List.of(java.util.Map.of("role", "user", "content", "Hello there")), 6, eos);
        assertThat(reply).isNotEmpty();
        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo(tokenizer.decode(reply) + "\n");
        CliRun caption = CliRun.of("caption", "--model", mixtral.toString(), scene.toString());
        assertThat(caption.exitCode()).isEqualTo(2);
        assertThat(caption.err()).contains("is a text-only MixtralForCausalLM (no vision tower)").hasLineCount(1);
    }

    @Test
    void benchServeLoadsAServerOverALlavaDirectory() {
        CliRun run = CliRun.of("bench", "serve", "--model", clip.toString(), "--clients", "2", "--requests", "3", "--max-tokens", "3");

        assertThat(run.exitCode()).as(run.err() + run.out()).isEqualTo(0);
        assertThat(run.out()).startsWith("2 clients, 3 requests (0 failed)");
    }

    @Test
    void serveRefusesADirectoryWithoutAChatTemplateInOneLine() {
        Path noTemplate = org.seemore.generate.hf.TinyHfModels.build(tmp.resolve("no-template"), "qwen2", null, java.util.Map.of());

        CliRun run = CliRun.of("serve", "--model", noTemplate.toString(), "--port", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no chat template").hasLineCount(1);
    }
}
