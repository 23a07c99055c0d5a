package org.seemore.model.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.io.DType;
import org.seemore.io.Safetensors;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.io.StoredTensor;
import org.seemore.io.HfFixtures;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.tensor.kernels.WeightMatrix;

/** {@link LlamaWeights}: a BF16 checkpoint's bits kept as stored, rounding, sizes, and the same tokens either way. */
class LlamaWeightsTest {
    private static final HfModelDirectory LLAMA = HfModelDirectory.open(HfFixtures.model("llama"));

    /** The llama fixture with every tensor rounded to BF16, as a hub checkpoint stores it. */
    private static Path bf16Checkpoint(Path dir) throws Exception {
        List<StoredTensor> tensors = new ArrayList<>();
        for (Map.Entry<String, StoredTensor> e : LLAMA.weights().tensors().entrySet()) {
            float[] v = e.getValue().toFloats();
            int[] shape = e.getValue().shape();
            short[] bits = WeightMatrix.Bf16.rounded(v, 0, 1, v.length).bits();
            tensors.add(StoredTensor.ofHalves(e.getKey(), DType.BF16, shape, bits));
        }
        Files.copy(LLAMA.directory().resolve("config.json"), dir.resolve("config.json"));
        Safetensors.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), tensors);
        return dir;
    }

    @Test
    void aBf16CheckpointStaysSixteenBitAndGeneratesAsTheRoundedFloat32Model(@TempDir Path dir) throws Exception {
        HfModelDirectory bf16Dir = HfModelDirectory.open(bf16Checkpoint(dir));
        DecoderConfig config = bf16Dir.decoder().orElseThrow();
        LlamaWeights kept = LlamaWeights.load(config, bf16Dir.weights(), "", LlamaWeights.Precision.BF16);
        WeightMatrix q = kept.layers().getFirst().q();
        assertThat(q).isInstanceOf(WeightMatrix.Bf16Panels.class);
        assertThat(((WeightMatrix.Bf16Panels) q).unpacked().bits()).containsExactly(bf16Dir.weights().get("model.layers.0.self_attn.q_proj.weight").toShorts());
        assertThat(kept.lmHead()).isSameAs(kept.embed()); // tied: one copy
        LlamaWeights rounded = LlamaWeights.load(config, LLAMA.weights(), "", LlamaWeights.Precision.BF16);
        LlamaWeights widened = LlamaWeights.load(config, bf16Dir.weights(), "", LlamaWeights.Precision.F32);
        assertThat(((WeightMatrix.Bf16Panels) rounded.layers().getFirst().q()).bits()).containsExactly(((WeightMatrix.Bf16Panels) q).bits());
        assertThat(widened.bytes() - kept.bytes()).isPositive();
        int[] prompt = {1, 17, 300, 42, 9, 250};
        FastDecoder.Generation a = new FastDecoder(kept, 1, 20).generate(prompt, null, 8, new int[0], true);
        FastDecoder.Generation b = new FastDecoder(widened, 1, 20).generate(prompt, null, 8, new int[0], true);
        assertThat(a.tokens()).containsExactly(b.tokens());
        assertThat(LlamaModelFixturesTest.maxDiff(a.logits(), b.logits(), config.vocabSize())).isLessThan(1e-4);
    }

    @Test
    void randomBf16WeightsAreTheFloat32DrawRoundedAndPacked() {
        DecoderConfig config = LLAMA.decoder().orElseThrow();
        LlamaWeights f32 = LlamaWeights.random(config, LlamaWeights.Precision.F32, 5);
        LlamaWeights bf16 = LlamaWeights.random(config, LlamaWeights.Precision.BF16, 5);
        WeightMatrix.F32 up = (WeightMatrix.F32) ((LlamaWeights.Dense) f32.layers().getFirst().mlp()).up();
        WeightMatrix.Bf16Panels packed = (WeightMatrix.Bf16Panels) ((LlamaWeights.Dense) bf16.layers().getFirst().mlp()).up();
        assertThat(packed.unpacked().bits()).containsExactly(WeightMatrix.Bf16.rounded(up.values(), up.offset(), up.rows(), up.cols()).bits());
    }

    @Test
    void roundingIsToNearestWithTiesToEven() {
        float[] in = {1f, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000), Float.intBitsToFloat(0x3F808001), -0f,
                Float.POSITIVE_INFINITY, Float.MAX_VALUE, Float.NaN};
        short[] want = {0x3F80, 0x3F80, 0x3F82, 0x3F81, (short) 0x8000, 0x7F80, 0x7F80, 0x7FC0};
        assertThat(WeightMatrix.Bf16.rounded(in, 0, 1, in.length).bits()).containsExactly(want);
    }

    @Test
    void aMissingOrMisshapedTensorIsOneLineNamingIt(@TempDir Path dir) throws Exception {
        DecoderConfig config = LLAMA.decoder().orElseThrow();
        assertThatThrownBy(() -> LlamaWeights.load(config, LLAMA.weights(), "language_model.", LlamaWeights.Precision.F32))
                .hasMessageContaining("language_model.model.");
        Path copy = Files.createDirectory(dir.resolve("wider"));
        Files.copy(LLAMA.directory().resolve("model.safetensors"), copy.resolve("model.safetensors"));
        String wider = Files.readString(LLAMA.directory().resolve("config.json")).replace("\"intermediate_size\": 160", "\"intermediate_size\": 161");
        Files.writeString(copy.resolve("config.json"), wider);
        DecoderConfig other = org.seemore.model.hf.HfModelConfig.read(copy).config() instanceof DecoderConfig d ? d : null;
        assertThatThrownBy(() -> LlamaWeights.load(other, SafetensorsCheckpoint.open(copy), "", LlamaWeights.Precision.BF16))
                .hasMessageContaining("gate_proj.weight is [160, 64], expected [161, 64]");
    }

    @Test
    void aMixtralCheckpointGivesEachLayerItsRouterAndExpertsAndEveryByteOnce() {
        HfModelDirectory mixtral = HfModelDirectory.open(HfFixtures.model("mixtral"));
        DecoderConfig config = mixtral.decoder().orElseThrow();
        LlamaWeights w = LlamaWeights.load(config, mixtral.weights(), "", LlamaWeights.Precision.F32);
        LlamaWeights.Sparse block = (LlamaWeights.Sparse) w.layers().get(1).mlp();
        assertThat(block.topK()).isEqualTo(2);
        assertThat(block.experts()).hasSize(8);
        assertThat(List.of(block.router().rows(), block.router().cols())).containsExactly(8, 64);
        WeightMatrix.F32 w2 = (WeightMatrix.F32) block.experts().get(5).down();
        assertThat(List.of(w2.rows(), w2.cols())).containsExactly(64, 96);
        assertThat(w2.values()).containsExactly(mixtral.weights().get("model.layers.1.block_sparse_moe.experts.5.w2.weight").toFloats());
        long stored = mixtral.weights().tensors().values().stream().mapToLong(t -> 4L * t.toFloats().length).sum();
        assertThat(w.bytes()).as("every tensor of the checkpoint, float32").isEqualTo(stored);
        assertThat(LlamaWeights.load(config, mixtral.weights(), "", LlamaWeights.Precision.BF16).bytes()).isLessThan(stored / 2 + stored / 10);
    }

    @Test
    void randomMixtralWeightsAreSparseAndALayerThatDoesNotFitTheConfigIsRefused() {
        DecoderConfig config = HfModelDirectory.open(HfFixtures.model("mixtral")).decoder().orElseThrow();
        LlamaWeights w = LlamaWeights.random(config, LlamaWeights.Precision.BF16, 3);
        assertThat(w.layers()).allSatisfy(l -> assertThat(l.mlp()).isInstanceOfSatisfying(LlamaWeights.Sparse.class, s -> {
            assertThat(s.experts()).hasSize(8);
            assertThat(s.router()).isInstanceOf(WeightMatrix.Bf16Panels.class);
        }));
        LlamaWeights.Layer sparse = w.layers().getFirst();
        LlamaWeights.Dense expert = ((LlamaWeights.Sparse) sparse.mlp()).experts().getFirst();
        LlamaWeights.Layer dense = new LlamaWeights.Layer(sparse.inputNorm(), sparse.q(), null, sparse.k(), null, sparse.v(), null, sparse.o(), null,
                sparse.postNorm(), expert);
        assertThatThrownBy(() -> new LlamaWeights(config, w.precision(), w.embed(), w.lmHead(), w.finalNorm(), List.of(sparse, dense)))
                .hasMessageContaining("does not fit");
        LlamaWeights.Sparse topThree = new LlamaWeights.Sparse(((LlamaWeights.Sparse) sparse.mlp()).router(), ((LlamaWeights.Sparse) sparse.mlp()).experts(), 3);
        LlamaWeights.Layer wrongK = new LlamaWeights.Layer(sparse.inputNorm(), sparse.q(), null, sparse.k(), null, sparse.v(), null, sparse.o(), null,
                sparse.postNorm(), topThree);
        assertThatThrownBy(() -> new LlamaWeights(config, w.precision(), w.embed(), w.lmHead(), w.finalNorm(), List.of(wrongK)))
                .hasMessageContaining("does not fit");
        assertThatThrownBy(() -> new LlamaWeights.Sparse(expert.gate(), List.of(expert), 1)).hasMessageContaining("a router of 96 experts over 1");
    }
}
