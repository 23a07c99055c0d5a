package org.seemore.model.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.seemore.model.llama.LlamaModelFixturesTest.maxDiff;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.hf.Activation;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.Parallel;
import org.seemore.tensor.kernels.WeightMatrix;

/**
 * {@link FastDecoder} on Mixtral's sparse blocks against transformers (the mixtral fixture, 8 experts
 * top-2, and hf-other's 6 experts top-3 with a left-padded batch of 2): generated ids, logits, and the
 * experts chosen at every prompt position (the top k of HF's router logits) and at every decoding step
 * (the tensor path's choice on the whole sequence); against the tensor path ({@link GreedyDecoder}) on
 * bfloat16-rounded weights and on a random Mixtral in left-padded batches; 1 and 2 threads give the
 * same bits.
 */
class MixtralFastDecoderTest {
    private static final double TOL = 1e-4;

    private static HfModelDirectory fixture(String name) {
        try {
            return HfModelDirectory.open(Path.of(MixtralFastDecoderTest.class.getResource("/fixtures/" + name).toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SafetensorsFile reference(HfModelDirectory dir) {
        return SafetensorsFile.read(dir.directory().resolve("reference.safetensors"));
    }

    private static int[] ints(long[] values) {
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }

    /** What a greedy run gave: tokens (B, steps), the logits that chose them (B, steps, V), and after each pass {@link FastDecoder#routes}. */
    private record Run(int[] tokens, float[] logits, List<int[]> routes) {}

    /** Greedy decoding pass by pass (as {@link FastDecoder#generate}, no end token), keeping each pass's routes, on {@code threads} threads. */
    private static Run decode(LlamaWeights weights, int[] prompt, int[] mask, int batch, int steps, int threads) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            int vocab = weights.config().vocabSize();
            FastDecoder d = new FastDecoder(weights, batch, prompt.length / batch + steps);
            int[] tokens = new int[batch * steps], next = new int[batch];
            float[] kept = new float[batch * steps * vocab];
            List<int[]> routes = new ArrayList<>();
            float[] logits = d.prefill(prompt, mask, false);
            for (int s = 0; s < steps; s++) {
                if (s > 0) logits = d.step(next);
                routes.add(d.routes());
                for (int b = 0; b < batch; b++) {
                    next[b] = FastDecoder.argmax(logits, b * vocab, vocab);
                    tokens[b * steps + s] = next[b];
                    System.arraycopy(logits, b * vocab, kept, (b * steps + s) * vocab, vocab);
                }
            }
            return new Run(tokens, kept, routes);
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** The two runs gave the same bits, and the same tokens and logits as the tensor path (within TOL). */
    private static void assertSameOnBothThreadCounts(Run one, Run two, GreedyDecoder.Result tensorPath, int vocab) {
        assertThat(two.tokens()).containsExactly(one.tokens());
        assertThat(two.logits()).as("1 and 2 threads, bit for bit").containsExactly(one.logits());
        for (int s = 0; s < one.routes().size(); s++) assertThat(two.routes().get(s)).containsExactly(one.routes().get(s));
        assertThat(one.tokens()).containsExactly(tensorPath.tokens());
        double d = maxDiff(one.logits(), tensorPath.logits(), vocab);
        System.out.printf("fast vs tensor path logits max diff %.3g%n", d);
        assertThat(d).isLessThan(TOL);
    }

    /**
     * Each pass's routes (layers, B, k) against the tensor path's choice on each whole sequence (its
     * prompt without the padding, then the tokens fed back): step s's is the prompt's last position + s.
     */
    private static void assertRoutesOfEveryStep(LlamaModel model, Run run, int[] prompt, int[] mask, int batch, int steps) {
        int layers = model.layers.size(), k = model.config().moe().orElseThrow().numExpertsPerTok(), t = prompt.length / batch;
        for (int b = 0; b < batch; b++) {
            int[] seq = new int[t + steps - 1];
            int n = 0;
            for (int j = 0; j < t; j++) if (mask == null || mask[b * t + j] == 1) seq[n++] = prompt[b * t + j];
            int promptLength = n;
            for (int s = 0; s < steps - 1; s++) seq[n++] = run.tokens()[b * steps + s];
            List<int[]> want = model.forward(Arrays.copyOf(seq, n), null, 1).chosenExperts();   // (layers) of (n, k)
            for (int s = 0; s < steps; s++) {
                for (int l = 0; l < layers; l++) {
                    int row = promptLength - 1 + s;
                    assertThat(Arrays.copyOfRange(run.routes().get(s), (l * batch + b) * k, (l * batch + b + 1) * k)).as("sequence %d, step %d, layer %d", b, s, l)
                            .containsExactly(Arrays.copyOfRange(want.get(l), row * k, (row + 1) * k));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf/mixtral", "hf-other/mixtral-6experts-top3"})
    void greedyGenerationMatchesTransformersAndTheTensorPath(String name) {
        HfModelDirectory dir = fixture(name);
        SafetensorsFile ref = reference(dir);
        DecoderConfig config = dir.decoder().orElseThrow();
        LlamaWeights weights = LlamaWeights.load(config, dir.weights(), "", LlamaWeights.Precision.F32);
        assertThat(weights.layers().getFirst().mlp()).isInstanceOf(LlamaWeights.Sparse.class);
        int batch = ref.get("gen.input_ids").shape()[0];
        int[] prompt = ints(ref.longs("gen.input_ids")), mask = ints(ref.longs("gen.attention_mask")), out = ints(ref.longs("gen.output_ids"));
        int t = prompt.length / batch, steps = out.length / batch - t;
        Run one = decode(weights, prompt, mask, batch, steps, 1), two = decode(weights, prompt, mask, batch, steps, 2);
        for (int b = 0; b < batch; b++) {
            assertThat(Arrays.copyOfRange(one.tokens(), b * steps, (b + 1) * steps)).as("sequence %d", b)
                    .containsExactly(Arrays.copyOfRange(out, b * (t + steps) + t, (b + 1) * (t + steps)));
        }
        double d = maxDiff(one.logits(), ref.floats("gen.logits"), config.vocabSize());
        System.out.printf("%s fast generation logits max diff %.3g%n", name, d);
        assertThat(d).isLessThan(TOL);
        LlamaModel model = LlamaModel.load(config, dir.weights());
        assertSameOnBothThreadCounts(one, two, new GreedyDecoder(model).generate(prompt, mask, batch, steps), config.vocabSize());
        assertRoutesOfEveryStep(model, one, prompt, mask, batch, steps);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf/mixtral", "hf-other/mixtral-6experts-top3"})
    void aPromptPassChoosesTheTopKOfTransformersRouterLogitsAtEveryPosition(String name) {
        HfModelDirectory dir = fixture(name);
        SafetensorsFile ref = reference(dir);
        DecoderConfig config = dir.decoder().orElseThrow();
        int[] ids = ints(ref.longs("input_ids")), mask = ints(ref.longs("attention_mask"));
        int batch = ref.get("input_ids").shape()[0], vocab = config.vocabSize();
        int experts = config.moe().orElseThrow().numLocalExperts(), k = config.moe().get().numExpertsPerTok();
        FastDecoder d = new FastDecoder(LlamaWeights.load(config, dir.weights(), "", LlamaWeights.Precision.F32), batch, ids.length / batch);
        float[] logits = d.prefill(ids, mask, true), want = ref.floats("logits");
        // the rows are right-padded: every real token has HF's position; a padded one takes its last real position here, 0, 1, ... in HF's forward
        int real = 0;
        for (int row = 0; row < ids.length; row++) {
            if (mask[row] == 0) continue;
            real++;
            assertThat(maxDiff(Arrays.copyOfRange(logits, row * vocab, (row + 1) * vocab), Arrays.copyOfRange(want, row * vocab, (row + 1) * vocab), vocab))
                    .as("row %d", row).isLessThan(TOL);
            for (int l = 0; l < config.numHiddenLayers(); l++) {
                int[] top = topK(ref.floats("router_logits." + l), row * experts, experts, k);
                assertThat(Arrays.copyOfRange(d.experts(l), row * k, (row + 1) * k)).as("row %d, layer %d", row, l).containsExactly(top);
            }
        }
        assertThat(real).isGreaterThan(ids.length / 2);
    }

    /** The k largest of {@code logits[from .. from+n)}, largest first, ties to the lower index (torch.topk on distinct values). */
    private static int[] topK(float[] logits, int from, int n, int k) {
        return java.util.stream.IntStream.range(0, n).boxed().sorted((a, b) -> logits[from + a] != logits[from + b]
                ? Float.compare(logits[from + b], logits[from + a]) : Integer.compare(a, b)).limit(k).mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf/mixtral", "hf-other/mixtral-6experts-top3"})
    void bfloat16WeightsDecodeAsTheTensorPathOnTheRoundedWeights(String name) {
        HfModelDirectory dir = fixture(name);
        SafetensorsFile ref = reference(dir);
        DecoderConfig config = dir.decoder().orElseThrow();
        LlamaWeights bf16 = LlamaWeights.load(config, dir.weights(), "", LlamaWeights.Precision.BF16);
        LlamaWeights.Sparse block = (LlamaWeights.Sparse) bf16.layers().getFirst().mlp();
        assertThat(block.router()).isInstanceOf(WeightMatrix.Bf16Panels.class);
        assertThat(block.experts().getLast().down()).isInstanceOf(WeightMatrix.Bf16Panels.class);
        LlamaModel model = rounded(LlamaModel.load(config, dir.weights()));
        int batch = ref.get("gen.input_ids").shape()[0], steps = 10;
        int[] prompt = ints(ref.longs("gen.input_ids")), mask = ints(ref.longs("gen.attention_mask"));
        Run one = decode(bf16, prompt, mask, batch, steps, 1), two = decode(bf16, prompt, mask, batch, steps, 2);
        assertSameOnBothThreadCounts(one, two, new GreedyDecoder(model).generate(prompt, mask, batch, steps), config.vocabSize());
        assertRoutesOfEveryStep(model, one, prompt, mask, batch, steps);
    }

    /** Every matrix of {@code model} rounded to bfloat16 in place: the tensor path then computes on what BF16 weights hold. */
    static LlamaModel rounded(LlamaModel model) {
        for (Tensor t : model.parameters().values()) {
            if (t.shape().length != 2) continue;
            float[] r = new float[t.size()];
            WeightMatrix.Bf16.rounded(t.data(), t.offset(), t.dim(0), t.dim(1)).widenRows(0, t.dim(0), r, 0);
            System.arraycopy(r, 0, t.data(), t.offset(), r.length);
        }
        return model;
    }

    /** A Mixtral of odd sizes (5 experts, top-2, width 40, expert width 72, 3 query heads per kv head of 12), weights of order 1 as the fixtures draw them. */
    static LlamaModel randomMixtral(long seed) {
        DecoderConfig c = new DecoderConfig(DecoderConfig.Family.MIXTRAL, 97, 40, 72, 2, 6, 2, 12, 256, 1e-5, 1e6, Optional.empty(),
                Activation.SILU, false, false, false, false, Optional.empty(), Optional.of(new DecoderConfig.Moe(5, 2, 0.02, 0)),
                OptionalInt.empty(), List.of());
        LlamaModel model = new LlamaModel(c, new Rng(seed));
        Rng rng = new Rng(seed + 1);
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            Tensor t = e.getValue();
            String n = e.getKey();
            float[] v = n.endsWith("norm.weight") ? rng.normal(t.size(), 1f, 0.1f)
                    : rng.normal(t.size(), 0f, n.contains("embed_tokens") ? 0.25f : (float) (1 / Math.sqrt(t.dim(1))));
            System.arraycopy(v, 0, t.data(), t.offset(), v.length);
        }
        return model;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 13})
    void aRandomMixtralInLeftPaddedBatchesDecodesAsTheTensorPath(int batch) {
        LlamaModel model = randomMixtral(11);
        Rng rng = new Rng(batch);
        int t = 21, steps = 6; // B x 21 prompt rows: each expert's prefill rows go to GEMM at batch 3 and 13
        int[] prompt = new int[batch * t], mask = new int[batch * t];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = rng.nextInt(97);
            mask[i] = i < 5 ? 0 : 1; // the first sequence padded by 5
        }
        LlamaWeights weights = LlamaWeights.of(model, LlamaWeights.Precision.F32);
        Run one = decode(weights, prompt, mask, batch, steps, 1), two = decode(weights, prompt, mask, batch, steps, 2);
        assertSameOnBothThreadCounts(one, two, new GreedyDecoder(model).generate(prompt, mask, batch, steps), 97);
        assertRoutesOfEveryStep(model, one, prompt, mask, batch, steps);
    }
}
