package org.seemore.model.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.seemore.io.HfFixtures;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.hf.Activation;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.Parallel;
import org.seemore.tensor.kernels.WeightMatrix;

/**
 * {@link FastDecoder} against transformers' greedy generation (the llama and qwen2 fixtures) and
 * against the tensor path ({@link GreedyDecoder}, {@link LlamaModel#forward}) on a random model with
 * left padding, odd sizes, batches that take every kernel group, and bfloat16 weights.
 */
class FastDecoderTest {
    private static final double TOL = 1e-4;

    private static int[] ints(long[] values) {
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void greedyGenerationMatchesTransformers(String name) {
        HfModelDirectory dir = HfModelDirectory.open(HfFixtures.model(name));
        SafetensorsFile ref = SafetensorsFile.read(dir.directory().resolve("reference.safetensors"));
        LlamaWeights weights = LlamaWeights.load(dir.decoder().orElseThrow(), dir.weights(), "", LlamaWeights.Precision.F32);
        int[] prompt = ints(ref.longs("gen.input_ids")), want = ints(ref.longs("gen.output_ids"));
        int steps = want.length - prompt.length;
        FastDecoder.Generation got = new FastDecoder(weights, 1, want.length).generate(prompt, ints(ref.longs("gen.attention_mask")), steps, new int[0], true);
        assertThat(got.steps()).isEqualTo(steps);
        assertThat(got.tokens()).containsExactly(Arrays.copyOfRange(want, prompt.length, want.length));
        double d = LlamaModelFixturesTest.maxDiff(got.logits(), ref.floats("gen.logits"), weights.config().vocabSize());
        System.out.printf("%s fast generation logits max diff %.3g%n", name, d);
        assertThat(d).isLessThan(TOL);
    }

    /** A Qwen2-shaped model (q/k/v biases, 3 query heads per kv head, head width 12: no whole vector), weights of order 1 as the fixtures draw them. */
    static LlamaModel randomModel(long seed) {
        DecoderConfig c = new DecoderConfig(DecoderConfig.Family.QWEN2, 97, 40, 72, 2, 6, 2, 12, 256, 1e-6, 1e6, Optional.empty(),
                Activation.SILU, false, true, false, false, Optional.empty(), Optional.empty(), OptionalInt.empty(), List.of());
        LlamaModel model = new LlamaModel(c, new Rng(seed));
        Rng rng = new Rng(seed + 1);
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            Tensor t = e.getValue();
            String n = e.getKey();
            float[] v = n.endsWith("norm.weight") ? rng.normal(t.size(), 1f, 0.1f) : n.endsWith("bias") ? rng.normal(t.size(), 0f, 0.05f)
                    : rng.normal(t.size(), 0f, n.contains("embed_tokens") ? 0.25f : (float) (1 / Math.sqrt(t.dim(1))));
            System.arraycopy(v, 0, t.data(), t.offset(), v.length);
        }
        return model;
    }

    /** B left-padded prompts of 21 positions (more rows than the small products take: GEMM), the first sequence padded by 5. */
    private static int[][] prompt(int batch, long seed) {
        Rng rng = new Rng(seed);
        int t = 21;
        int[] ids = new int[batch * t], mask = new int[batch * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(97);
            mask[i] = i < 5 ? 0 : 1;
        }
        return new int[][] {ids, mask};
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8, 13})
    void leftPaddedBatchesGiveGreedyDecodersTokensAndLogits(int batch) {
        LlamaModel model = randomModel(7);
        int[][] p = prompt(batch, batch);
        int steps = 6;
        GreedyDecoder.Result want = new GreedyDecoder(model).generate(p[0], p[1], batch, steps);
        for (int threads : new int[] {1, 2}) {
            int before = Parallel.threads();
            Parallel.setThreads(threads);
            try {
                FastDecoder decoder = new FastDecoder(LlamaWeights.of(model, LlamaWeights.Precision.F32), batch, 40);
                FastDecoder.Generation got = decoder.generate(p[0], p[1], steps, new int[0], true);
                assertThat(got.tokens()).as("%d threads", threads).containsExactly(want.tokens());
                double d = LlamaModelFixturesTest.maxDiff(got.logits(), want.logits(), 97);
                System.out.printf("batch %d, %d threads: fast vs tensor path logits max diff %.3g%n", batch, threads, d);
                assertThat(d).isLessThan(TOL);
                assertThat(decoder.length()).isEqualTo(21 + steps - 1);
            } finally {
                Parallel.setThreads(before);
            }
        }
    }

    @Test
    void prefillOfEveryPositionGivesTheFullForwardsLogitsAndMayBeSplit() {
        LlamaModel model = randomModel(3);
        int[][] p = prompt(2, 11);
        Arrays.fill(p[1], 1);
        float[] want = model.forward(p[0], null, 2).logits().toArray();
        FastDecoder whole = new FastDecoder(LlamaWeights.of(model, LlamaWeights.Precision.F32), 2, 30);
        assertThat(LlamaModelFixturesTest.maxDiff(whole.prefill(p[0], null, true), want, 97)).isLessThan(TOL);
        // the same prompt in two passes (an image's embeddings, then the text), one row per sequence at the end by step
        FastDecoder split = new FastDecoder(LlamaWeights.of(model, LlamaWeights.Precision.F32), 2, 30);
        int[] first = new int[2 * 12], second = new int[2 * 8], last = new int[2];
        for (int b = 0; b < 2; b++) {
            System.arraycopy(p[0], b * 21, first, b * 12, 12);
            System.arraycopy(p[0], b * 21 + 12, second, b * 8, 8);
            last[b] = p[0][b * 21 + 20];
        }
        split.prefill(split.embed(first), 12, null, false);
        float[] middle = split.prefill(second, null, true);
        float[] end = split.step(last);
        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < 8; j++) {
                float[] got = Arrays.copyOfRange(middle, (b * 8 + j) * 97, (b * 8 + j + 1) * 97);
                float[] row = Arrays.copyOfRange(want, (b * 21 + 12 + j) * 97, (b * 21 + 13 + j) * 97);
                assertThat(LlamaModelFixturesTest.maxDiff(got, row, 97)).isLessThan(TOL);
            }
            float[] row = Arrays.copyOfRange(want, (b * 21 + 20) * 97, (b * 21 + 21) * 97);
            assertThat(LlamaModelFixturesTest.maxDiff(Arrays.copyOfRange(end, b * 97, (b + 1) * 97), row, 97)).isLessThan(TOL);
        }
    }

    @Test
    void bfloat16WeightsDecodeAsTheTensorPathOnTheRoundedWeights() {
        LlamaModel model = randomModel(5);
        LlamaWeights bf16 = LlamaWeights.of(model, LlamaWeights.Precision.BF16);
        assertThat(bf16.layers().getFirst().q()).isInstanceOf(WeightMatrix.Bf16Panels.class);
        LlamaWeights f32 = LlamaWeights.of(model, LlamaWeights.Precision.F32);
        assertThat(f32.bytes() - bf16.bytes()).as("half the matrices' bytes").isEqualTo((f32.bytes() - norms(f32)) / 2);
        MixtralFastDecoderTest.rounded(model); // every matrix in place: the tensor path then computes on what BF16 holds
        int[][] p = prompt(3, 9);
        GreedyDecoder.Result want = new GreedyDecoder(model).generate(p[0], p[1], 3, 5);
        FastDecoder.Generation got = new FastDecoder(bf16, 3, 32).generate(p[0], p[1], 5, new int[0], true);
        assertThat(got.tokens()).containsExactly(want.tokens());
        assertThat(LlamaModelFixturesTest.maxDiff(got.logits(), want.logits(), 97)).isLessThan(TOL);
    }

    private static long norms(LlamaWeights w) {
        long n = w.finalNorm().length;
        for (LlamaWeights.Layer l : w.layers()) n += l.inputNorm().length + l.postNorm().length + l.qBias().length + l.kBias().length + l.vBias().length;
        return 4 * n;
    }

    @Test
    void aSequenceStopsAtItsEndTokenAndRepeatsIt() {
        LlamaModel model = randomModel(7);
        int[][] p = prompt(3, 3);
        FastDecoder.Generation free = new FastDecoder(LlamaWeights.of(model, LlamaWeights.Precision.F32), 3, 40).generate(p[0], p[1], 6, new int[0], false);
        int eos = free.tokens()[2]; // sequence 0's third token
        FastDecoder.Generation stopped = new FastDecoder(LlamaWeights.of(model, LlamaWeights.Precision.F32), 3, 40).generate(p[0], p[1], 6, new int[] {eos}, false);
        int first = 0;
        while (free.tokens()[first] != eos) first++;
        assertThat(stopped.counts()[0]).isEqualTo(first + 1);
        for (int s = first; s < stopped.steps(); s++) assertThat(stopped.tokens()[s]).isEqualTo(eos);
        for (int b = 0; b < 3; b++) {
            int n = stopped.counts()[b];
            assertThat(Arrays.copyOfRange(stopped.tokens(), b * 6, b * 6 + n)).containsExactly(Arrays.copyOfRange(free.tokens(), b * 6, b * 6 + n));
        }
    }

    @Test
    void aFullCacheAndWrongSizesAreRefused() {
        FastDecoder d = new FastDecoder(LlamaWeights.of(randomModel(1), LlamaWeights.Precision.F32), 2, 4);
        assertThatThrownBy(() -> d.prefill(new int[10], null, false)).hasMessageContaining("holds 4 positions");
        assertThatThrownBy(() -> d.step(new int[3])).hasMessageContaining("3 tokens for 2");
        assertThatThrownBy(() -> d.step(new int[] {0, 97})).hasMessageContaining("token 97");
        assertThatThrownBy(() -> new FastDecoder(d.weights(), 1, 257)).hasMessageContaining("257 positions");
    }
}
