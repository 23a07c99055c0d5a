package org.seemore.model.llama;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.seemore.UserException;
import org.seemore.io.DType;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.io.StoredTensor;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.WeightMatrix;

/**
 * A Llama, Qwen2 or Mixtral decoder's weights as inference reads them ({@link FastDecoder}): the
 * matrices as {@link WeightMatrix} in float32 or bfloat16, the norms and biases as float arrays; each
 * layer's feed-forward is a dense SwiGLU ({@link Dense}) or Mixtral's routed experts ({@link Sparse}). From a
 * {@link LlamaModel} (float32 matrices share the parameters' arrays), straight from a checkpoint
 * (bfloat16 tensors stay 16-bit, others are widened or rounded), or random for benchmarks.
 */
public record LlamaWeights(DecoderConfig config, Precision precision, WeightMatrix embed, WeightMatrix lmHead, float[] finalNorm, List<Layer> layers) {

    /** How the matrices are held in memory. */
    public enum Precision {
        F32, BF16;

        /** The {@code --dtype} value: f32 or bf16. */
        public static Precision parse(String name) {
            return switch (name) {
                case "f32" -> F32;
                case "bf16" -> BF16;
                default -> throw new IllegalArgumentException("'" + name + "' (expected f32 or bf16)");
            };
        }
    }

    /** One decoder layer; a bias is null where the config has none. */
    public record Layer(float[] inputNorm, WeightMatrix q, float[] qBias, WeightMatrix k, float[] kBias, WeightMatrix v, float[] vBias,
                        WeightMatrix o, float[] oBias, float[] postNorm, Mlp mlp) {}

    /** A layer's feed-forward, after {@code post_attention_layernorm}: dense, or routed among experts. */
    public sealed interface Mlp permits Dense, Sparse {
        /** Every matrix it holds. */
        List<WeightMatrix> matrices();
    }

    /** HF's {@code LlamaMLP}, {@code down(silu(gate x) * up x)}: gate and up (F, C), down (C, F); also one Mixtral expert (w1, w3, w2). */
    public record Dense(WeightMatrix gate, WeightMatrix up, WeightMatrix down) implements Mlp {
        @Override
        public List<WeightMatrix> matrices() {
            return List.of(gate, up, down);
        }
    }

    /** Mixtral's {@code block_sparse_moe}: the router {@code gate} (E, C) and E experts, of which each row takes {@code topK} ({@link MixtralMoeBlock}). */
    public record Sparse(WeightMatrix router, List<Dense> experts, int topK) implements Mlp {
        public Sparse {
            experts = List.copyOf(experts);
            if (router.rows() != experts.size()) throw new IllegalArgumentException("a router of " + router.rows() + " experts over " + experts.size());
            if (topK < 1 || topK > experts.size()) throw new IllegalArgumentException(topK + " experts per token of " + experts.size());
        }

        @Override
        public List<WeightMatrix> matrices() {
            List<WeightMatrix> all = new ArrayList<>(List.of(router));
            for (Dense e : experts) all.addAll(e.matrices());
            return all;
        }
    }

    public LlamaWeights {
        if (config.slidingWindow().isPresent() || config.mlpBias() || config.hiddenAct() != org.seemore.model.hf.Activation.SILU) {
            throw new IllegalArgumentException("sliding windows, MLP biases and activations other than silu are not supported yet");
        }
        layers = List.copyOf(layers);
        for (Layer l : layers) {
            boolean fits = switch (l.mlp()) {
                case Dense d -> config.moe().isEmpty();
                case Sparse s -> config.moe().filter(m -> m.numLocalExperts() == s.experts().size() && m.numExpertsPerTok() == s.topK()).isPresent();
            };
            if (!fits) throw new IllegalArgumentException("a layer's feed-forward " + l.mlp().getClass().getSimpleName() + " does not fit the config's experts " + config.moe());
        }
    }

    /** The bytes of every matrix and vector (the tied embedding once). */
    public long bytes() {
        long total = embed.bytes() + (lmHead == embed ? 0 : lmHead.bytes()) + 4L * finalNorm.length;
        for (Layer l : layers) {
            for (WeightMatrix m : List.of(l.q(), l.k(), l.v(), l.o())) total += m.bytes();
            for (WeightMatrix m : l.mlp().matrices()) total += m.bytes();
            for (float[] f : Arrays.asList(l.inputNorm(), l.postNorm(), l.qBias(), l.kBias(), l.vBias(), l.oBias())) total += f == null ? 0 : 4L * f.length;
        }
        return total;
    }

    /** The weights of {@code model}: float32 matrices are its parameters' own arrays, bfloat16 ones rounded copies. */
    public static LlamaWeights of(LlamaModel model, Precision precision) {
        List<Layer> layers = new ArrayList<>();
        for (LlamaModel.Layer l : model.layers) {
            Mlp mlp = switch (l.ffn()) {
                case FeedForward.SwiGlu d -> new Dense(matrix(d.gate(), precision), matrix(d.up(), precision), matrix(d.down(), precision));
                case MixtralMoeBlock m -> new Sparse(matrix(m.gate(), precision), m.experts().stream()
                        .map(e -> new Dense(matrix(e.w1(), precision), matrix(e.w3(), precision), matrix(e.w2(), precision))).toList(), m.topK());
            };
            layers.add(new Layer(copy(l.inputNorm()), matrix(l.q(), precision), copy(l.qBias()), matrix(l.k(), precision), copy(l.kBias()),
                    matrix(l.v(), precision), copy(l.vBias()), matrix(l.o(), precision), copy(l.oBias()), copy(l.postNorm()), mlp));
        }
        WeightMatrix embed = matrix(model.embed, precision);
        WeightMatrix head = model.lmHead == model.embed ? embed : matrix(model.lmHead, precision);
        return new LlamaWeights(model.config(), precision, embed, head, copy(model.finalNorm), layers);
    }

    /**
     * How {@code checkpoint} stores the matrices of the decoder behind {@code prefix} (its
     * {@code model.*} and {@code lm_head.*} tensors of rank 2), as {@code --dtype auto} keeps them:
     * BF16 when every one is bfloat16, else F32 (the kernels read float32 or bfloat16, so F16 is widened;
     * a mix is widened rather than rounded).
     */
    public static Precision stored(SafetensorsCheckpoint checkpoint, String prefix) {
        boolean any = false;
        for (String name : checkpoint.names()) {
            if (!name.startsWith(prefix + "model.") && !name.startsWith(prefix + "lm_head.")) continue;
            StoredTensor t = checkpoint.get(name);
            if (t.rank() != 2) continue;
            if (t.dtype() != DType.BF16) return Precision.F32;
            any = true;
        }
        return any ? Precision.BF16 : Precision.F32;
    }

    /**
     * The weights of a checkpoint, tensors named as in HF's state dict behind {@code prefix} (empty, or
     * {@code language_model.} inside LLaVA): with {@link Precision#BF16}, bfloat16 tensors are kept as
     * stored and others rounded; with {@link Precision#F32}, everything is widened.
     */
    public static LlamaWeights load(DecoderConfig config, SafetensorsCheckpoint checkpoint, String prefix, Precision precision) {
        Loader in = new Loader(checkpoint, prefix, precision);
        int c = config.hiddenSize(), q = config.numAttentionHeads() * config.headDim(), kv = config.numKeyValueHeads() * config.headDim();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String l = "model.layers." + i + ".", a = l + "self_attn.";
            layers.add(new Layer(in.vector(l + "input_layernorm.weight", c),
                    in.matrix(a + "q_proj.weight", q, c), config.qkvBias() ? in.vector(a + "q_proj.bias", q) : null,
                    in.matrix(a + "k_proj.weight", kv, c), config.qkvBias() ? in.vector(a + "k_proj.bias", kv) : null,
                    in.matrix(a + "v_proj.weight", kv, c), config.qkvBias() ? in.vector(a + "v_proj.bias", kv) : null,
                    in.matrix(a + "o_proj.weight", c, q), config.outputBias() ? in.vector(a + "o_proj.bias", c) : null,
                    in.vector(l + "post_attention_layernorm.weight", c), loadMlp(in, config, l)));
        }
        WeightMatrix embed = in.matrix("model.embed_tokens.weight", config.vocabSize(), c);
        WeightMatrix head = config.tieWordEmbeddings() ? embed : in.matrix("lm_head.weight", config.vocabSize(), c);
        return new LlamaWeights(config, precision, embed, head, in.vector("model.norm.weight", c), layers);
    }

    /** Layer {@code l}'s {@code mlp.gate_proj/up_proj/down_proj}, or Mixtral's {@code block_sparse_moe.gate} and {@code experts.e.w1/w3/w2}. */
    private static Mlp loadMlp(Loader in, DecoderConfig config, String l) {
        int c = config.hiddenSize(), f = config.intermediateSize();
        if (config.moe().isEmpty()) {
            String m = l + "mlp.";
            return new Dense(in.matrix(m + "gate_proj.weight", f, c), in.matrix(m + "up_proj.weight", f, c), in.matrix(m + "down_proj.weight", c, f));
        }
        DecoderConfig.Moe moe = config.moe().get();
        String m = l + "block_sparse_moe.";
        List<Dense> experts = new ArrayList<>();
        for (int e = 0; e < moe.numLocalExperts(); e++) {
            String x = m + "experts." + e + ".";
            experts.add(new Dense(in.matrix(x + "w1.weight", f, c), in.matrix(x + "w3.weight", f, c), in.matrix(x + "w2.weight", c, f)));
        }
        return new Sparse(in.matrix(m + "gate.weight", moe.numLocalExperts(), c), experts, moe.numExpertsPerTok());
    }

    /**
     * Random weights shaped by {@code config}, for benchmarks: matrices uniform with standard
     * deviation 0.02 (HF's initializer_range), drawn straight into bfloat16 when asked (no float32
     * copy), norms 1, biases 0; the same seed gives the same weights.
     */
    public static LlamaWeights random(DecoderConfig config, Precision precision, long seed) {
        Rng rng = new Rng(seed);
        int c = config.hiddenSize(), q = config.numAttentionHeads() * config.headDim(), kv = config.numKeyValueHeads() * config.headDim();
        boolean bias = config.qkvBias();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new Layer(ones(c), random(rng, q, c, precision), bias ? new float[q] : null, random(rng, kv, c, precision), bias ? new float[kv] : null,
                    random(rng, kv, c, precision), bias ? new float[kv] : null, random(rng, c, q, precision), config.outputBias() ? new float[c] : null,
                    ones(c), randomMlp(rng, config, precision)));
        }
        WeightMatrix embed = random(rng, config.vocabSize(), c, precision);
        WeightMatrix head = config.tieWordEmbeddings() ? embed : random(rng, config.vocabSize(), c, precision);
        return new LlamaWeights(config, precision, embed, head, ones(c), layers);
    }

    /** A dense MLP (gate, up, down), or Mixtral's router then each expert's w1, w3, w2, drawn in that order. */
    private static Mlp randomMlp(Rng rng, DecoderConfig config, Precision precision) {
        int c = config.hiddenSize(), f = config.intermediateSize();
        if (config.moe().isEmpty()) return new Dense(random(rng, f, c, precision), random(rng, f, c, precision), random(rng, c, f, precision));
        DecoderConfig.Moe moe = config.moe().get();
        WeightMatrix router = random(rng, moe.numLocalExperts(), c, precision);
        List<Dense> experts = new ArrayList<>();
        for (int e = 0; e < moe.numLocalExperts(); e++) experts.add(new Dense(random(rng, f, c, precision), random(rng, f, c, precision), random(rng, c, f, precision)));
        return new Sparse(router, experts, moe.numExpertsPerTok());
    }

    private static WeightMatrix random(Rng rng, int rows, int cols, Precision precision) {
        float half = (float) (0.02 * Math.sqrt(3)); // uniform on [-half, half) has standard deviation 0.02
        int n = Math.multiplyExact(rows, cols);
        if (precision == Precision.F32) {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = (2 * rng.nextFloat() - 1) * half;
            return new WeightMatrix.F32(values, 0, rows, cols);
        }
        // drawn in row-major order straight into the panels: no row-major copy beside them (an embedding's 272 MB for Qwen2-0.5B)
        WeightMatrix.Bf16Panels panels = new WeightMatrix.Bf16Panels(new short[n], rows, cols);
        short[] bits = panels.bits();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) bits[panels.index(r, c)] = WeightMatrix.roundToBf16((2 * rng.nextFloat() - 1) * half);
        }
        return panels;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }

    private static WeightMatrix matrix(Tensor t, Precision precision) {
        return precision == Precision.F32 ? new WeightMatrix.F32(t.data(), t.offset(), t.dim(0), t.dim(1))
                : WeightMatrix.Bf16Panels.of(WeightMatrix.Bf16.rounded(t.data(), t.offset(), t.dim(0), t.dim(1)));
    }

    private static float[] copy(Tensor t) {
        return t == null ? null : t.toArray();
    }

    /** Reads named tensors of the expected shapes from a checkpoint. */
    private record Loader(SafetensorsCheckpoint checkpoint, String prefix, Precision precision) {
        /** A tensor of {@code shape}, handed to {@code read} and then released from resident memory (it is copied). */
        <T> T read(String name, int[] shape, Function<StoredTensor, T> read) {
            StoredTensor t = get(name, shape);
            T out = read.apply(t);
            t.release();
            return out;
        }

        StoredTensor get(String name, int... shape) {
            StoredTensor t = checkpoint.get(prefix + name);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new UserException(checkpoint.directory() + ": " + prefix + name + " is " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
            }
            return t;
        }

        /** A matrix in {@link #precision}; bfloat16 packed into panels row by row from the mapped file, no row-major copy between. */
        WeightMatrix matrix(String name, int rows, int cols) {
            return read(name, new int[] {rows, cols}, t -> matrix(t, rows, cols));
        }

        private WeightMatrix matrix(StoredTensor t, int rows, int cols) {
            if (precision == Precision.F32) return new WeightMatrix.F32(t.toFloats(), 0, rows, cols);
            if (t.dtype() == DType.BF16) return WeightMatrix.Bf16Panels.of(t.bytes(), rows, cols);
            WeightMatrix.Bf16Panels panels = WeightMatrix.Bf16Panels.empty(rows, cols);
            float[] row = new float[cols];
            short[] bits = new short[cols];
            for (int r = 0; r < rows; r++) {
                t.readFloats((long) r * cols, row, 0, cols);
                for (int c = 0; c < cols; c++) bits[c] = WeightMatrix.roundToBf16(row[c]);
                panels.putRow(r, bits, 0);
            }
            return panels;
        }

        float[] vector(String name, int n) {
            return read(name, new int[] {n}, StoredTensor::toFloats);
        }
    }
}
