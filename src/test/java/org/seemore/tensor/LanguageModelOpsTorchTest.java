package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.seemore.io.SafetensorsFile;

/**
 * The ops against PyTorch's own float32 arithmetic, step by step as Hugging Face transformers 4.45
 * computes them: {@code fixtures/generated/llm-ops.safetensors}, written by
 * {@code scripts/reference/llm_ops.py} (its docstring lists the tensors). Each check prints its
 * largest difference.
 */
class LanguageModelOpsTorchTest {
    private static final SafetensorsFile FILE = SafetensorsFile.read(fixtures().resolve("generated/llm-ops.safetensors"));

    static Path fixtures() {
        try {
            return Path.of(LanguageModelOpsTorchTest.class.getResource("/fixtures").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Tensor tensor(String name) {
        return Tensor.of(FILE.floats(name), FILE.get(name).shape());
    }

    /** |actual - expected| <= tolerance everywhere; prints the largest difference. */
    private static void within(String what, float[] actual, float[] expected, double tolerance) {
        assertThat(actual).as("%s: length", what).hasSize(expected.length);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]));
        System.out.printf("llm-ops %-32s max |diff| %.2e%n", what, worst);
        assertThat(worst).as("%s: max |diff|", what).isLessThanOrEqualTo(tolerance);
    }

    /** The largest difference in units in the last place of the expected values. */
    private static int ulps(float[] actual, float[] expected) {
        int worst = 0;
        for (int i = 0; i < actual.length; i++) worst = Math.max(worst, (int) Math.round(Math.abs(actual[i] - expected[i]) / Math.ulp(expected[i])));
        return worst;
    }

    private static RopeTable table(String name) {
        return switch (name) {
            case "llama" -> RopeTable.of(RopeTable.standardFrequencies(64, 10_000f));
            case "qwen2" -> RopeTable.of(RopeTable.standardFrequencies(64, 1_000_000f));
            case "llama31" -> RopeTable.of(RopeTable.llama3Frequencies(RopeTable.standardFrequencies(128, 500_000f), 8f, 1f, 4f, 8192));
            default -> RopeTable.of(RopeTable.llama3Frequencies(RopeTable.standardFrequencies(64, 500_000f), 32f, 1f, 4f, 8192));
        };
    }

    @Test
    void ropeFrequenciesAreTorchsBitsAndTheTableWithinAnUlp() {
        for (String name : List.of("llama", "qwen2", "llama31", "llama32")) {
            RopeTable table = table(name);
            assertThat(table.inverseFrequencies()).as("%s inv_freq", name).containsExactly(FILE.floats("rope." + name + ".inv_freq"));
            int[] positions = FILE.ints("rope." + name + ".positions");
            int half = table.headDim() / 2;
            RopeTable.Snapshot angles = table.covering(positions[positions.length - 1] + 1);
            float[] cos = new float[positions.length * half], sin = new float[positions.length * half];
            float[] torchCos = new float[cos.length], torchSin = new float[sin.length], allCos = FILE.floats("rope." + name + ".cos"),
                    allSin = FILE.floats("rope." + name + ".sin");
            for (int p = 0; p < positions.length; p++) {
                System.arraycopy(angles.cos(), positions[p] * half, cos, p * half, half);
                System.arraycopy(angles.sin(), positions[p] * half, sin, p * half, half);
                System.arraycopy(allCos, p * 2 * half, torchCos, p * half, half); // cat(freqs, freqs): the first half
                System.arraycopy(allSin, p * 2 * half, torchSin, p * half, half);
                for (int i = 0; i < half; i++) { // and the second half repeats it
                    assertThat(allCos[p * 2 * half + half + i]).isEqualTo(allCos[p * 2 * half + i]);
                }
            }
            // PyTorch's float32 cos and sin (SLEEF, 1 ulp) against the rounded double ones: an ulp at most
            assertThat(ulps(cos, torchCos)).as("%s cos, ulps", name).isLessThanOrEqualTo(1);
            assertThat(ulps(sin, torchSin)).as("%s sin, ulps", name).isLessThanOrEqualTo(1);
            within(name + " cos", cos, torchCos, 1e-7);
            within(name + " sin", sin, torchSin, 1e-7);
        }
    }

    @Test
    void ropeOnHeadsWithGenerationPositionsAndItsGradient() {
        Tensor x = tensor("rope.apply.x").requiresGrad(true);
        int[] positions = FILE.ints("rope.apply.positions");
        Tensor y = Rope.apply(x, 3, RopeTable.of(RopeTable.standardFrequencies(16, 10_000f)), positions);
        within("rope y", y.toArray(), FILE.floats("rope.apply.y"), 1e-6);
        Reductions.sumAll(Elementwise.mul(y, tensor("rope.apply.r"))).backward();
        within("rope grad", x.grad(), FILE.floats("rope.apply.grad"), 1e-6);
    }

    @Test
    void activationsAndTheirSlopes() {
        check("silu", Elementwise::silu);
        check("quick_gelu", Elementwise::quickGelu);
        check("gelu_tanh", Elementwise::geluTanh);
    }

    private static void check(String name, UnaryOperator<Tensor> f) {
        Tensor x = tensor("act.x").requiresGrad(true);
        Tensor y = f.apply(x);
        within(name, y.toArray(), FILE.floats("act." + name), 2e-6);
        Reductions.sumAll(y).backward();
        within(name + " slope", x.grad(), FILE.floats("act." + name + ".grad"), 2e-6);
    }

    @Test
    void rmsNormAndItsGradients() {
        Tensor x = tensor("rmsnorm.x").requiresGrad(true), w = tensor("rmsnorm.weight").requiresGrad(true);
        Tensor y = NnOps.rmsNorm(x, w, Float.parseFloat(FILE.metadata("rmsnorm_eps")));
        within("rmsNorm y", y.toArray(), FILE.floats("rmsnorm.y"), 2e-6);
        Reductions.sumAll(Elementwise.mul(y, tensor("rmsnorm.r"))).backward();
        within("rmsNorm grad x", x.grad(), FILE.floats("rmsnorm.grad.x"), 2e-6);
        within("rmsNorm grad weight", w.grad(), FILE.floats("rmsnorm.grad.weight"), 1e-5);
    }

    @Test
    void eagerAttentionWithGroupedHeadsPaddingAndCachedQueries() {
        // name, heads, kv heads, causal
        Object[][] cases = {{"gqa_padded", 4, 2, true}, {"mqa_suffix", 3, 1, true}, {"vision", 4, 4, false}, {"siglip_width", 2, 2, false}};
        for (Object[] c : cases) {
            String p = "attn." + c[0] + ".";
            int heads = (int) c[1], kvHeads = (int) c[2];
            boolean causal = (boolean) c[3];
            int[] mask = FILE.contains(p + "mask") ? FILE.ints(p + "mask") : null;
            Tensor q = tensor(p + "q").requiresGrad(true), k = tensor(p + "k").requiresGrad(true), v = tensor(p + "v").requiresGrad(true);
            Tensor y = FusedAttention.attention(q, k, v, heads, kvHeads, causal, mask);
            within(c[0] + " y", y.toArray(), FILE.floats(p + "y"), 1e-5); // padded rows too: HF's uniform rows
            Reductions.sumAll(Elementwise.mul(y, tensor(p + "r"))).backward();
            within(c[0] + " grad q", q.grad(), FILE.floats(p + "grad.q"), 1e-5);
            within(c[0] + " grad k", k.grad(), FILE.floats(p + "grad.k"), 1e-5);
            within(c[0] + " grad v", v.grad(), FILE.floats(p + "grad.v"), 1e-5);
        }
    }
}
