package org.seemore.model.decoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.seemore.model.ForwardContext;
import org.seemore.model.LanguageModel;
import org.seemore.model.Presets;
import org.seemore.model.RandomWeights;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.Parallel;

/** {@link DecodeState} against the full uncached forward and the cached forward, step by step. */
class DecodeStateTest {
    private static final double TOLERANCE = 1e-5;
    private static final int STEPS = 6;
    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    @Test
    void stepsGiveTheLogitsOfTheFullForwardWithTheClsToken() {
        for (int batch : new int[] {1, 3}) checkAgainstFullForward("tiny", batch);
    }

    @Test
    void stepsGiveTheLogitsOfTheFullForwardWithPatchTokens() {
        for (int batch : new int[] {1, 2}) checkAgainstFullForward("small", batch);
    }

    @Test
    void stepsGiveTheLogitsOfTheFullForwardWithTheInitialWeights() {
        VlmConfig config = Presets.get("small", 20);
        checkAgainstFullForward(new Vlm(config, 3), config, 2, "small, initial weights");
    }

    /** Prefill an image and a 2-token prompt, then feed random tokens one at a time; each step's logits vs the whole sequence's. */
    private void checkAgainstFullForward(String preset, int batch) {
        VlmConfig config = Presets.get(preset, 20);
        checkAgainstFullForward(RandomWeights.model(config, 5), config, batch, preset);
    }

    private void checkAgainstFullForward(Vlm model, VlmConfig config, int batch, String what) {
        Tensor images = RandomWeights.images(config, batch, 6);
        Rng rng = new Rng(7);
        int[][] seqs = new int[batch][];
        for (int b = 0; b < batch; b++) seqs[b] = new int[] {rng.nextInt(20), rng.nextInt(20)};
        try (var g = GradMode.noGrad()) {
            Tensor prefix = model.visualTokens(images, ForwardContext.inference()); // (B, Nv, C)
            LanguageModel.Decoding state = model.language().newDecoding(batch, prefix.dim(1) + 2 + STEPS);
            state.forward(prefix, flatten(seqs));
            for (int step = 0; step < STEPS; step++) {
                int[] next = new int[batch];
                for (int b = 0; b < batch; b++) {
                    next[b] = rng.nextInt(20);
                    seqs[b] = Arrays.copyOf(seqs[b], seqs[b].length + 1);
                    seqs[b][seqs[b].length - 1] = next[b];
                }
                float[] logits = state.step(next).clone();                                          // (B, V)
                Tensor full = model.forward(images, flatten(seqs), batch, ForwardContext.inference()).logits(); // (B, L, V)
                double max = maxDiffToLastRows(logits, full);
                assertThat(max).as("%s, batch %d, step %d: max |decode - full forward| = %g", what, batch, step, max).isLessThan(TOLERANCE);
            }
            assertThat(state.length()).isEqualTo(prefix.dim(1) + 2 + STEPS);
        }
    }

    @Test
    void stepsMatchTheCachedForwardUnderTheCapacityLimit() {
        // a capacity of 1 per expert for 4 rows x top-2 over 4 experts: assignments are dropped
        VlmConfig tiny = Presets.get("tiny", 20);
        DecoderConfig decoder = (DecoderConfig) tiny.language();
        VlmConfig config = tiny.withLanguage(decoder.withMoe(decoder.moe().withCapacityFactor(0.5)));
        Vlm model = RandomWeights.model(config, 8);
        int batch = 4;
        Tensor images = RandomWeights.images(config, batch, 9);
        int[] prompt = {1, 2, 3, 4};
        try (var g = GradMode.noGrad()) {
            Tensor prefix = model.visualTokens(images, ForwardContext.inference());
            LanguageModel.Decoding state = model.language().newDecoding(batch, 1 + 1 + STEPS);
            LanguageModel.Decoding viaForward = model.language().newDecoding(batch, 1 + 1 + STEPS);
            state.forward(prefix, prompt);
            viaForward.forward(prefix, prompt);
            Rng rng = new Rng(10);
            for (int step = 0; step < STEPS; step++) {
                int[] next = new int[batch];
                for (int b = 0; b < batch; b++) next[b] = rng.nextInt(20);
                float[] logits = state.step(next);
                Tensor cached = viaForward.forward(null, next);                          // (B, 1, V)
                double max = maxDiffToLastRows(logits, cached);
                assertThat(max).as("step %d: max |decode - cached forward| = %g", step, max).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheNumberOfThreads() {
        VlmConfig config = Presets.get("small", 20);
        Vlm model = RandomWeights.model(config, 11);
        Tensor prefix;
        try (var g = GradMode.noGrad()) { // one prefix for all runs: what is checked here is the decoder
            prefix = model.visualTokens(RandomWeights.images(config, 2, 12), ForwardContext.inference());
        }
        Parallel.setThreads(1);
        float[] one = decodeSteps(model, prefix);
        Parallel.setThreads(Math.max(2, defaultThreads));
        float[] many = decodeSteps(model, prefix);
        assertThat(many).containsExactly(one);
        assertThat(decodeSteps(model, prefix)).containsExactly(one);
    }

    /** The prefill's logits, then every step's, concatenated. */
    private static float[] decodeSteps(Vlm model, Tensor prefix) {
        int batch = prefix.dim(0);
        try (var g = GradMode.noGrad()) {
            LanguageModel.Decoding state = model.language().newDecoding(batch, prefix.dim(1) + 1 + STEPS);
            float[] all = state.forward(prefix, new int[] {1, 1}).toArray();
            int[] next = {3, 4};
            for (int step = 0; step < STEPS; step++) {
                float[] logits = state.step(next);
                int at = all.length;
                all = Arrays.copyOf(all, at + logits.length);
                System.arraycopy(logits, 0, all, at, logits.length);
                next = new int[] {(next[0] + 5) % 20, (next[1] + 7) % 20};
            }
            return all;
        }
    }

    private static int[] flatten(int[][] seqs) {
        int t = seqs[0].length;
        int[] flat = new int[seqs.length * t];
        for (int b = 0; b < seqs.length; b++) System.arraycopy(seqs[b], 0, flat, b * t, t);
        return flat;
    }

    /** max |logits[b] - reference[b, last]| over the batch; logits (B, V), reference (B, L, V). */
    private static double maxDiffToLastRows(float[] logits, Tensor reference) {
        int batch = reference.dim(0), rows = reference.dim(1), vocab = reference.dim(2);
        double max = 0;
        for (int b = 0; b < batch; b++) {
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, Math.abs(logits[b * vocab + v] - reference.get(b, rows - 1, v)));
            }
        }
        return max;
    }
}
