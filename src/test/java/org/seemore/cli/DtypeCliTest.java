package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.text.Tokenizers;
import org.seemore.generate.hf.HfSession;
import org.seemore.generate.hf.TinyHfModels;
import org.seemore.generate.hf.TinyLlavaModels;
import org.seemore.io.DType;
import org.seemore.io.HfFixtures;

/**
 * {@code --dtype} on chat, caption, eval and serve: a BF16 checkpoint replies as GreedyDecoder on its
 * rounded weights whichever dtype holds it, the status line says which one does, a bad value is one
 * line (exit 2), seemore's own models refuse bf16, and a decoder with experts refuses it.
 */
class DtypeCliTest {
    @TempDir
    static Path tmp;
    static Path qwenBf16, qwenRounded, llavaBf16, mixtral, own, image;

    @BeforeAll
    static void build() {
        qwenBf16 = TinyHfModels.reweighted(TinyHfModels.qwen2Chatml(tmp.resolve("qwen-bf16")), t -> HfFixtures.narrowed(t, DType.BF16));
        qwenRounded = TinyHfModels.reweighted(TinyHfModels.qwen2Chatml(tmp.resolve("qwen-rounded")),
                t -> HfFixtures.widened(HfFixtures.narrowed(t, DType.BF16)));
        llavaBf16 = TinyHfModels.reweighted(TinyLlavaModels.clip(tmp.resolve("llava-bf16")), t -> HfFixtures.narrowed(t, DType.BF16));
        mixtral = TinyHfModels.build(tmp.resolve("mixtral"), "mixtral", "chatml", Map.of("eos_token", "<|im_end|>"));
        own = TinyModels.save(tmp.resolve("own"));
        image = TinyLlavaModels.png(tmp.resolve("scene.png"), 40, 30, 1);
    }

    private static CliRun chat(Path model, String... flags) {
        List<String> args = new ArrayList<>(List.of("chat", "--model", model.toString(), "--max-new-tokens", "6"));
        args.addAll(List.of(flags));
        return CliRun.withInput("Hello there\n", args.toArray(String[]::new));
    }

    @Test
    void aBf16CheckpointChatsAsGreedyDecoderOnItsRoundedWeightsWhicheverDtypeHoldsIt() {
        java.util.Set<Integer> eos = HfSession.open(qwenRounded).eosIds();
        int[] reply = TinyHfModels.greedyReply(qwenRounded, List.of(Map.of("role", "user", "content", "Hello there")), 6, eos);
        String expected = Tokenizers.load(qwenRounded).decode(reply) + "\n";
        assertThat(reply).isNotEmpty();
        for (String[] flags : new String[][] {{}, {"--dtype", "auto"}, {"--dtype", "bf16"}, {"--dtype", "f32"}}) {
            CliRun run = chat(qwenBf16, flags);

            String held = flags.length > 0 && flags[1].equals("f32") ? "f32" : "bf16";
            assertThat(run.exitCode()).as(Arrays.toString(flags) + run.err()).isEqualTo(0);
            assertThat(run.out()).as(Arrays.toString(flags)).isEqualTo(expected);
            assertThat(run.err()).contains("seemore chat: Qwen2ForCausalLM from " + qwenBf16 + " (weights " + held + ", ");
        }
        assertThat(chat(qwenRounded).err()).contains("(weights f32, "); // auto keeps float32 as stored
    }

    @Test
    void captionAndEvalSayHowTheDecoderIsHeldAndAnswerAlikeEitherWay() throws IOException {
        CliRun kept = CliRun.of("caption", "--model", llavaBf16.toString(), "--max-tokens", "6", image.toString());
        CliRun widened = CliRun.of("caption", "--model", llavaBf16.toString(), "--max-tokens", "6", "--dtype", "f32", image.toString());

        assertThat(kept.exitCode()).as(kept.err()).isEqualTo(0);
        assertThat(kept.err()).contains("seemore caption: LlavaForConditionalGeneration from " + llavaBf16 + " (weights decoder bf16, ");
        assertThat(widened.err()).contains("(weights decoder f32, ");
        assertThat(widened.out()).isEqualTo(kept.out()).startsWith(image + ": ");

        Path data = Files.writeString(tmp.resolve("qa.jsonl"), "{\"image\": \"scene.png\", \"prompt\": \"What is it?\", \"answer\": \"Hello world\"}\n");
        CliRun eval = CliRun.of("eval", "--model", llavaBf16.toString(), "--data", data.toString(), "--dtype", "bf16");
        assertThat(eval.exitCode()).as(eval.err()).isEqualTo(0);
        assertThat(eval.err()).contains("seemore eval: LlavaForConditionalGeneration from " + llavaBf16 + " (weights decoder bf16, ");
        assertThat(eval.out()).contains("(1 records)");
    }

    @Test
    void aBadDtypeIsOneLineForEveryCommand() {
        String message = "--dtype: 'f16' (expected auto, f32 or bf16)";
        assertRefused(chat(qwenBf16, "--dtype", "f16"), message);
        assertRefused(CliRun.of("caption", "--model", llavaBf16.toString(), "--dtype", "f16", image.toString()), message);
        assertRefused(CliRun.of("eval", "--model", llavaBf16.toString(), "--data", "synthetic:shapes", "--dtype", "f16"), message);
        assertRefused(CliRun.of("serve", "--model", qwenBf16.toString(), "--port", "0", "--dtype", "f16"), message);
        assertRefused(CliRun.of("caption", "--model", own.toString(), "--dtype", "F32", image.toString()), "--dtype: 'F32' (expected");
    }

    @Test
    void seemoresOwnModelsRunInFloat32AndRefuseBf16() {
        String message = "--dtype bf16: " + own + " is a seemore model, which runs in float32; --dtype applies to Hugging Face checkpoints";
        assertRefused(CliRun.of("caption", "--model", own.toString(), "--dtype", "bf16", image.toString()), message);
        assertRefused(CliRun.of("eval", "--model", own.toString(), "--data", "synthetic:shapes", "--dtype", "bf16"), message);
        assertRefused(CliRun.of("serve", "--model", own.toString(), "--port", "0", "--dtype", "bf16"), message);
        for (String dtype : List.of("auto", "f32")) {
            CliRun run = CliRun.of("caption", "--model", own.toString(), "--dtype", dtype, image.toString());
            assertThat(run.exitCode()).as(dtype + ": " + run.err()).isEqualTo(0);
            assertThat(run.out()).startsWith(image + ": ");
        }
    }

    @Test
    void aDecoderWithExpertsChatsInBf16OrFloat32() {
        for (String dtype : List.of("bf16", "f32")) {
            CliRun run = chat(mixtral, "--dtype", dtype);
            assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
            assertThat(run.err()).contains("(weights " + dtype + ", ");
        }
    }

    private static void assertRefused(CliRun run, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err().strip().lines().toList()).hasSize(1);
        assertThat(run.err()).startsWith("seemore").contains(message);
        assertThat(run.out()).isEmpty();
    }
}
