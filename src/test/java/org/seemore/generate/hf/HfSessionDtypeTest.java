package org.seemore.generate.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.image.ImageSource;
import org.seemore.generate.Sampler;
import org.seemore.io.DType;
import org.seemore.io.HfFixtures;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llama.LlamaWeights;
import org.seemore.model.llama.LlamaWeights.Precision;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;
import org.seemore.tensor.kernels.WeightMatrix;

/**
 * Sessions over BF16 checkpoints (the fixtures narrowed to BF16, as hub checkpoints store weights):
 * {@code auto} keeps the matrices bfloat16 and decodes as the float32 session on the same rounded
 * weights (a copy widened back to F32): the same greedy tokens, logits within 1e-5.
 */
class HfSessionDtypeTest {
    private static final double TOLERANCE = 1e-5;
    @TempDir
    static Path tmp;
    static Path qwenBf16, qwenRounded, llamaBf16, llamaRounded, llavaBf16, llavaRounded;
    static ImageSource image;

    @BeforeAll
    static void build() {
        qwenBf16 = bf16(TinyHfModels.qwen2Chatml(tmp.resolve("qwen-bf16")));
        qwenRounded = roundedF32(TinyHfModels.qwen2Chatml(tmp.resolve("qwen-rounded")));
        llamaBf16 = bf16(TinyHfModels.llamaChat(tmp.resolve("llama-bf16")));
        llamaRounded = roundedF32(TinyHfModels.llamaChat(tmp.resolve("llama-rounded")));
        llavaBf16 = bf16(TinyLlavaModels.clip(tmp.resolve("llava-bf16")));
        llavaRounded = roundedF32(TinyLlavaModels.clip(tmp.resolve("llava-rounded")));
        image = new ImageSource.FileImage(TinyLlavaModels.png(tmp.resolve("red.png"), 40, 30, 1));
    }

    static Path bf16(Path dir) {
        return TinyHfModels.reweighted(dir, t -> HfFixtures.narrowed(t, DType.BF16));
    }

    /** The same values as {@link #bf16}'s, stored as F32. */
    static Path roundedF32(Path dir) {
        return TinyHfModels.reweighted(dir, t -> HfFixtures.widened(HfFixtures.narrowed(t, DType.BF16)));
    }

    private static LlamaWeights weights(Path dir, WeightDtype dtype) {
        return switch (HfModels.load(HfModelDirectory.open(dir), dtype)) {
            case LlamaGeneration g -> g.weights();
            case LlavaGeneration g -> g.weights();
            default -> throw new AssertionError("not on the inference path: " + dir);
        };
    }

    @Test
    void autoKeepsABf16CheckpointSixteenBitAndAFloat32OneFloat32() {
        LlamaWeights kept = weights(qwenBf16, WeightDtype.AUTO), widened = weights(qwenRounded, WeightDtype.AUTO);
        assertThat(kept.precision()).isEqualTo(Precision.BF16);
        assertThat(((LlamaWeights.Dense) kept.layers().getFirst().mlp()).down()).isInstanceOf(WeightMatrix.Bf16Panels.class);
        assertThat(widened.precision()).isEqualTo(Precision.F32);
        assertThat(((LlamaWeights.Dense) widened.layers().getFirst().mlp()).down()).isInstanceOf(WeightMatrix.F32.class);
        assertThat(widened.bytes()).isGreaterThan(kept.bytes() * 3 / 2); // matrices twice the size; norms and biases float32 in both
        assertThat(weights(llavaBf16, WeightDtype.AUTO).precision()).isEqualTo(Precision.BF16);
    }

    @Test
    void f16IsWidenedByAutoAndEitherTypeIsForcedByF32OrBf16() {
        Path f16 = TinyHfModels.reweighted(TinyHfModels.qwen2Chatml(tmp.resolve("qwen-f16")), t -> HfFixtures.narrowed(t, DType.F16));
        assertThat(weights(f16, WeightDtype.AUTO).precision()).isEqualTo(Precision.F32);
        assertThat(weights(f16, WeightDtype.BF16).precision()).isEqualTo(Precision.BF16);
        assertThat(weights(qwenBf16, WeightDtype.F32).layers().getFirst().q()).isInstanceOf(WeightMatrix.F32.class);
        assertThat(weights(qwenRounded, WeightDtype.BF16).layers().getFirst().q()).isInstanceOf(WeightMatrix.Bf16Panels.class);
        assertThat(weights(llavaRounded, WeightDtype.BF16).precision()).isEqualTo(Precision.BF16);
    }

    @Test
    void aBf16DecoderGivesTheTokensAndLogitsOfTheFloat32OneOnTheRoundedWeights() {
        for (Path[] pair : new Path[][] {{qwenBf16, qwenRounded}, {llamaBf16, llamaRounded}}) {
            int[] prompt = {1, 17, 300, 42, 9, 250, 77, 401};
            assertSameGreedyDecoding(HfModels.load(HfModelDirectory.open(pair[0])), HfModels.load(HfModelDirectory.open(pair[1])), prompt, null);
        }
    }

    @Test
    void aBf16LlavaGivesTheTokensAndLogitsOfTheFloat32OneOnTheRoundedWeights() {
        HfSession session = HfSession.open(llavaBf16);
        HfSession.Prompt prompt = session.prompt(List.of(Turn.user("What is shown?", List.of(image))));
        assertSameGreedyDecoding(HfModels.load(HfModelDirectory.open(llavaBf16)), HfModels.load(HfModelDirectory.open(llavaRounded)),
                prompt.ids(), prompt.pixelValues());
    }

    /** Eight greedy steps on each model from {@code prompt}: the same tokens, every step's logits within the tolerance. */
    private static void assertSameGreedyDecoding(HfLanguageModel bf16, HfLanguageModel f32, int[] prompt, org.seemore.tensor.Tensor pixels) {
        int steps = 8;
        double worst = 0;
        try (var ignored = GradMode.noGrad()) {
            HfLanguageModel.Generation a = bf16.start(prompt, pixels, prompt.length + steps), b = f32.start(prompt, pixels, prompt.length + steps);
            float[] la = a.logits(), lb = b.logits();
            for (int s = 0; s < steps; s++) {
                worst = Math.max(worst, HfFixtures.maxDiff(la, lb));
                int ta = Sampler.greedy().sample(la, 0, la.length, new Rng(0)), tb = Sampler.greedy().sample(lb, 0, lb.length, new Rng(0));
                assertThat(ta).as("step " + s).isEqualTo(tb);
                if (s < steps - 1) {
                    la = a.step(ta);
                    lb = b.step(tb);
                }
            }
        }
        System.out.printf("bf16 vs f32 on rounded weights: max logit diff %.3g%n", worst);
        assertThat(worst).as("max |logits bf16 - f32|").isLessThan(TOLERANCE);
    }

    @Test
    void aBf16SessionRepliesAsTheFloat32SessionOnTheRoundedWeights() {
        for (Path[] pair : new Path[][] {{qwenBf16, qwenRounded}, {llamaBf16, llamaRounded}}) {
            List<Turn> turns = List.of(Turn.user("Hello there, how are you?", List.of()));
            HfSession.Reply bf16 = reply(HfSession.open(pair[0]), turns), f32 = reply(HfSession.open(pair[1]), turns);
            assertThat(bf16.ids()).isNotEmpty().containsExactly(f32.ids());
            assertThat(bf16.ids()).containsExactly(TinyHfModels.greedyReply(pair[1], List.of(Map.of("role", "user", "content", "Hello there, how are you?")),
                    10, HfSession.open(pair[1]).eosIds()));
        }
        List<Turn> withImage = List.of(Turn.user("What is shown?", List.of(image)));
        assertThat(reply(HfSession.open(llavaBf16), withImage).ids()).isNotEmpty().containsExactly(reply(HfSession.open(llavaRounded), withImage).ids());
    }

    private static HfSession.Reply reply(HfSession session, List<Turn> turns) {
        return session.generate(session.prompt(turns), new HfSession.Settings(10, Sampler.greedy()), new Rng(1), text -> {});
    }

    @Test
    void aDecoderWithExpertsKeepsBf16AndDecodesAsTheFloat32OneOnTheRoundedWeights() {
        Path mixtral = bf16(TinyHfModels.build(tmp.resolve("mixtral"), "mixtral", "chatml", Map.of("eos_token", "<|im_end|>")));
        Path rounded = roundedF32(TinyHfModels.build(tmp.resolve("mixtral-rounded"), "mixtral", "chatml", Map.of("eos_token", "<|im_end|>")));
        assertThat(weights(mixtral, WeightDtype.AUTO).precision()).isEqualTo(Precision.BF16);
        assertThat(weights(mixtral, WeightDtype.AUTO).layers().getFirst().mlp()).isInstanceOf(LlamaWeights.Sparse.class);
        int[] prompt = {1, 17, 300, 42, 9, 250, 77, 401};
        assertSameGreedyDecoding(HfModels.load(HfModelDirectory.open(mixtral)), HfModels.load(HfModelDirectory.open(rounded)), prompt, null);
        List<Turn> turns = List.of(Turn.user("Hello there, how are you?", List.of()));
        assertThat(reply(HfSession.open(mixtral, WeightDtype.BF16), turns).ids()).isNotEmpty().containsExactly(reply(HfSession.open(rounded), turns).ids());
    }

    @Test
    void dtypesParseAndABadOneSaysWhatItExpects() {
        assertThat(List.of("auto", "f32", "bf16").stream().map(WeightDtype::parse)).containsExactly(WeightDtype.AUTO, WeightDtype.F32, WeightDtype.BF16);
        assertThatThrownBy(() -> WeightDtype.parse("f16")).hasMessage("'f16' (expected auto, f32 or bf16)");
    }
}
