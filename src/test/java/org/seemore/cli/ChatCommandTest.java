package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.Tokenizers;
import org.seemore.generate.hf.TinyHfModels;

/**
 * seemore chat over piped standard input on tiny Qwen2 and Llama directories: each reply is what
 * GreedyDecoder gives on the conversation rendered by the chat template, computed here directly.
 */
class ChatCommandTest {
    @TempDir
    static Path tmp;
    static Path qwen, llama;

    @BeforeAll
    static void build() {
        qwen = TinyHfModels.qwen2Chatml(tmp.resolve("qwen"));
        llama = TinyHfModels.llamaChat(tmp.resolve("llama"));
    }

    private static CliRun chat(String stdin, Path model, String... flags) {
        List<String> args = new ArrayList<>(List.of("chat", "--model", model.toString(), "--max-new-tokens", "6"));
        args.addAll(List.of(flags));
        return CliRun.withInput(stdin, args.toArray(String[]::new));
    }

    /** The replies to {@code users} in turn, each conversation carrying the previous replies, computed without the command. */
    private static List<String> expectedReplies(Path dir, String system, String... users) {
        Tokenizer tokenizer = Tokenizers.load(dir);
        Set<Integer> eos = new java.util.HashSet<>(org.seemore.model.hf.HfModelDirectory.open(dir).eosTokenIds());
        eos.add(tokenizer.eosId().getAsInt());
        List<Map<String, String>> messages = new ArrayList<>();
        if (system != null) messages.add(Map.of("role", "system", "content", system));
        List<String> replies = new ArrayList<>();
        for (String user : users) {
            messages.add(Map.of("role", "user", "content", user));
            String reply = tokenizer.decode(TinyHfModels.greedyReply(dir, messages, 6, eos));
            replies.add(reply);
            messages.add(Map.of("role", "assistant", "content", reply));
        }
        return replies;
    }

    @Test
    void eachReplyIsTheGreedyContinuationOfTheWholeConversation() {
        CliRun run = chat("Hello there\nHow are you?\n", qwen, "--system", "You are concise.");

        List<String> expected = expectedReplies(qwen, "You are concise.", "Hello there", "How are you?");
        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo(expected.get(0) + "\n" + expected.get(1) + "\n");
        assertThat(expected.get(0)).isNotEqualTo(expected.get(1));
    }

    @Test
    void resetForgetsTheConversationAndExitStops() {
        CliRun run = chat("Hello\nHow are you?\n/reset\nHow are you?\n/exit\nHello again\n", llama);

        List<String> twoTurns = expectedReplies(llama, null, "Hello", "How are you?");
        List<String> fresh = expectedReplies(llama, null, "How are you?");
        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo(twoTurns.get(0) + "\n" + twoTurns.get(1) + "\n" + fresh.get(0) + "\n");
        assertThat(twoTurns.get(1)).isNotEqualTo(fresh.get(0)); // the history changed the reply
        assertThat(run.err()).contains("(conversation reset)");
    }

    @Test
    void aFailedMessageIsOneLineAndLeftOutOfTheConversation() {
        CliRun run = chat("/image " + tmp.resolve("cat.png") + "\n/bogus\n" + "x".repeat(300) + "\n\nHello\n", qwen);

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo(expectedReplies(qwen, null, "Hello").get(0) + "\n");
        List<String> errors = run.err().lines().filter(l -> l.startsWith("seemore chat: ") && !l.contains(" from ")).toList();
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0)).contains("is a text-only Qwen2ForCausalLM: it cannot take images");
        assertThat(errors.get(1)).contains("unknown command /bogus");
        assertThat(errors.get(2)).contains("longer than the model's max_position_embeddings (128)");
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void endOfInputEndsTheChat() {
        CliRun run = chat("", qwen);

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void directoriesThatCannotChatAreRefusedInOneLine() throws IOException {
        Path noTemplate = TinyHfModels.build(tmp.resolve("no-template"), "qwen2", null, Map.of());
        Path noTokenizer = TinyHfModels.qwen2Chatml(tmp.resolve("no-tokenizer"));
        Files.delete(noTokenizer.resolve("tokenizer.json"));
        Path own = TinyModels.save(tmp.resolve("own"));

        assertRefused(chat("Hello\n", noTemplate), "no chat template");
        assertRefused(chat("Hello\n", noTokenizer), "has no tokenizer");
        assertRefused(chat("Hello\n", own), "not a Hugging Face model directory");
        assertRefused(chat("Hello\n", tmp.resolve("missing")), "missing: no such model directory");
        assertRefused(CliRun.withInput("Hello\n", "chat", "--model", qwen.toString(), "--max-new-tokens", "0"), "--max-new-tokens must be positive");
        assertRefused(chat("Hello\n", qwen, "--temperature", "-1"), "--temperature");
    }

    @Test
    void captionAndEvalRefuseATextOnlyCheckpointInOneLine() throws IOException {
        Path image = Files.write(tmp.resolve("image.png"), new byte[] {1, 2, 3});

        assertRefused(CliRun.of("caption", "--model", qwen.toString(), image.toString()),
                "is a text-only Qwen2ForCausalLM (no vision tower): caption needs a vision-language model");
        assertRefused(CliRun.of("eval", "--model", llama.toString(), "--data", "synthetic:shapes"),
                "is a text-only LlamaForCausalLM (no vision tower): eval needs a vision-language model");
    }

    private static void assertRefused(CliRun run, String message) {
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip().lines().toList()).hasSize(1);
        assertThat(run.err()).startsWith("seemore").contains(message);
        assertThat(run.out()).isEmpty();
    }
}
