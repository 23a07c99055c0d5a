package org.seemore.tensor;

import static org.seemore.tensor.kernels.KernelPairs.ODD;
import static org.seemore.tensor.kernels.KernelPairs.sizes;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.seemore.tensor.kernels.Outcome;
import org.seemore.tensor.kernels.Pair;
import org.seemore.tensor.kernels.Parallel;

/**
 * The tensor ops' fast/reference pairs, each registered once, for {@link FastReferencePairsTest}:
 * outputs and the inputs' gradients through {@link FastVsReference} (rotary embeddings and
 * grouped-query attention in {@link LanguageModelPairs}). Sizes are the odd ones and the
 * kernels' boundaries: a span of the binary loops ({@code BinaryKernel}, 1024), a block of GELU
 * ({@code Activations}, 512), a block of LayerNorm backward rows (32), and sizes past the
 * parallel thresholds (2^15 elements), so that 2 and 3 threads split the work.
 */
final class TensorPairs {
    private TensorPairs() {}

    /** The sub-cases of one pair at one size, collected into one outcome. */
    static final class Cases {
        final Rng rng;
        final Outcome outcome = new Outcome();

        Cases(long seed) {
            rng = new Rng(seed);
        }

        void compare(String what, Function<List<Tensor>, Tensor> fast, Function<List<Tensor>, Tensor> reference, Tensor... inputs) {
            outcome.addAll(FastVsReference.outcome(what, FastVsReference.TOL, fast, reference, inputs));
        }

        /** Uniform values in [-scale, scale], as a leaf that wants a gradient. */
        Tensor random(float scale, int... shape) {
            return FastVsReference.random(rng, scale, shape);
        }

        /**
         * As {@link #random}, with magnitudes in [scale/2, scale]: divisors whose 1/y² stays small
         * enough that a float sum of {@code g·x/y²} over a row keeps to the tolerance.
         */
        Tensor awayFromZero(float scale, int... shape) {
            Tensor t = random(scale, shape);
            float[] d = t.data();
            for (int i = 0; i < d.length; i++) d[i] = Math.copySign(scale / 2 + Math.abs(d[i]) / 2, d[i]);
            return t;
        }
    }

    /** The cases a pair runs at size n. */
    @FunctionalInterface
    interface Body {
        void run(Cases cases, int n);
    }

    static Pair pair(String name, int[] sizes, Body body) {
        return new Pair(name, sizes, (n, seed) -> {
            Cases cases = new Cases(seed);
            body.run(cases, n);
            return cases.outcome;
        });
    }

    static List<Pair> all() {
        List<Pair> pairs = new ArrayList<>(elementwise());
        pairs.addAll(nnOps());
        pairs.addAll(List.of(permute(), indexSelect(), indexAdd(), selfAttention(), queryAttention(), experts()));
        pairs.addAll(LanguageModelPairs.all());
        return pairs;
    }

    // ---- elementwise ----------------------------------------------------------------------------

    private record Binary(String name, BinaryOperator<Tensor> fast, BinaryOperator<Tensor> reference) {}

    private static final Binary[] BINARY = {
        new Binary("add", Elementwise::add, ElementwiseReference::add),
        new Binary("sub", Elementwise::sub, ElementwiseReference::sub),
        new Binary("mul", Elementwise::mul, ElementwiseReference::mul),
        new Binary("div", Elementwise::div, ElementwiseReference::div),
    };

    /** Every op on a with shape as and b with shape bs (b away from zero). */
    private static void binary(Cases c, int[] as, int[] bs) {
        for (Binary op : BINARY) {
            c.compare(op.name() + " " + Shapes.str(as) + " " + Shapes.str(bs), in -> op.fast().apply(in.get(0), in.get(1)),
                    in -> op.reference().apply(in.get(0), in.get(1)), c.random(1f, as), c.awayFromZero(1f, bs));
        }
    }

    private static List<Pair> elementwise() {
        int[] spans = {1023, 1025};
        return List.of(
                pair("Elementwise.add/sub/mul/div, same shape", sizes(ODD, spans, new int[] {22_000}), (c, n) -> {
                    binary(c, new int[] {3, n}, new int[] {3, n});
                    if (n == 1) binary(c, new int[0], new int[0]);
                    for (Binary op : BINARY) { // the same tensor on both sides
                        c.compare(op.name() + " x,x", in -> op.fast().apply(in.get(0), in.get(0)), in -> op.reference().apply(in.get(0), in.get(0)),
                                c.awayFromZero(1f, 5, n));
                    }
                }),
                pair("Elementwise.add/sub/mul/div, a row repeated (bias, positions)", sizes(ODD, spans), (c, n) -> {
                    binary(c, new int[] {5, n}, new int[] {n});
                    binary(c, new int[] {n}, new int[] {5, n});
                    binary(c, new int[] {2, 3, n}, new int[] {1, 3, n});
                    binary(c, new int[] {2, 3, n}, new int[] {3, n});
                    if (n <= 127) binary(c, new int[] {16, 37, n}, new int[] {1, 37, n});
                    c.compare("add of row slices", in -> Elementwise.add(Shaping.sliceRows(in.get(0), 1, 2), Shaping.sliceRows(in.get(0), 3, 1)),
                            in -> ElementwiseReference.add(Shaping.sliceRows(in.get(0), 1, 2), Shaping.sliceRows(in.get(0), 3, 1)), c.random(2f, 5, n));
                }),
                pair("Elementwise.add/sub/mul/div, a value per row or a scalar", sizes(ODD, spans), (c, n) -> {
                    binary(c, new int[] {7, n}, new int[] {7, 1});
                    binary(c, new int[] {7, 1}, new int[] {7, n});
                    binary(c, new int[] {4, n}, new int[0]);
                    binary(c, new int[] {1}, new int[] {4, n});
                    if (n <= 127) binary(c, new int[] {1025, n}, new int[] {1025, 1});
                }),
                pair("Elementwise.add/sub/mul/div, other broadcasts (BroadcastFallback)", ODD, (c, n) -> {
                    binary(c, new int[] {3, 1}, new int[] {1, n});
                    binary(c, new int[] {2, 1, n}, new int[] {3, 1});
                }),
                unary("Elementwise.scale", 1f, x -> Elementwise.scale(x, -1.7f), x -> ElementwiseReference.scale(x, -1.7f)),
                unary("Elementwise.relu", 1f, Elementwise::relu, ElementwiseReference::relu),
                unary("Elementwise.gelu", 6f, Elementwise::gelu, ElementwiseReference::gelu),
                unary("Elementwise.geluTanh", 6f, Elementwise::geluTanh, ElementwiseReference::geluTanh),
                unary("Elementwise.quickGelu", 8f, Elementwise::quickGelu, ElementwiseReference::quickGelu),
                unary("Elementwise.silu", 8f, Elementwise::silu, ElementwiseReference::silu));
    }

    /** A unary op on n values, and on a slice of rows (a view at an offset). */
    private static Pair unary(String name, float scale, UnaryOperator<Tensor> fast, UnaryOperator<Tensor> reference) {
        return pair(name, sizes(ODD, new int[] {511, 513, 70_001}), (c, n) -> {
            c.compare(name + " " + n, in -> fast.apply(in.get(0)), in -> reference.apply(in.get(0)), c.random(scale, n));
            c.compare(name + " of a row slice", in -> fast.apply(Shaping.sliceRows(in.get(0), 2, 3)),
                    in -> reference.apply(Shaping.sliceRows(in.get(0), 2, 3)), c.random(scale, 5, n));
        });
    }

    // ---- fused nn ops ---------------------------------------------------------------------------

    private static List<Pair> nnOps() {
        return List.of(
                pair("NnOps.layerNorm", sizes(ODD, new int[] {512}), (c, n) -> {
                    for (int rows : n == 512 ? new int[] {1, 148} : new int[] {1, 5, 31, 33}) { // 148 x 512: parallel, several row blocks
                        c.compare("layerNorm " + rows + "x" + n, in -> NnOps.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f),
                                in -> NnOpsReference.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f), c.random(3f, rows, n), c.random(1f, n), c.random(1f, n));
                    }
                    Tensor frozen = Tensor.of(c.rng.uniform(n, -1f, 1f), n);
                    c.compare("layerNorm, frozen weight", in -> NnOps.layerNorm(in.get(0), frozen, in.get(1), 1e-5f),
                            in -> NnOpsReference.layerNorm(in.get(0), frozen, in.get(1), 1e-5f), c.random(2f, 7, n), c.random(1f, n));
                }),
                pair("NnOps.rmsNorm", sizes(ODD, new int[] {512}), (c, n) -> {
                    for (int rows : n == 512 ? new int[] {1, 148} : new int[] {1, 5, 31, 33}) { // 148 x 512: parallel, several row blocks
                        c.compare("rmsNorm " + rows + "x" + n, in -> NnOps.rmsNorm(in.get(0), in.get(1), 1e-6f),
                                in -> NnOpsReference.rmsNorm(in.get(0), in.get(1), 1e-6f), c.random(3f, rows, n), c.random(1f, n));
                    }
                    Tensor frozen = Tensor.of(c.rng.uniform(n, -1f, 1f), n);
                    c.compare("rmsNorm, frozen weight", in -> NnOps.rmsNorm(in.get(0), frozen, 1e-5f),
                            in -> NnOpsReference.rmsNorm(in.get(0), frozen, 1e-5f), c.random(2f, 7, n));
                    Tensor input = Tensor.of(c.rng.uniform(3 * n, -2f, 2f), 3, n); // an input without gradient: only the weight's
                    c.compare("rmsNorm, input without gradient", in -> NnOps.rmsNorm(input, in.get(0), 1e-5f),
                            in -> NnOpsReference.rmsNorm(input, in.get(0), 1e-5f), c.random(1f, n));
                }),
                pair("NnOps.softmax", ODD, (c, n) -> {
                    c.compare("softmax 5x" + n, in -> NnOps.softmax(in.get(0), false), in -> NnOpsReference.softmax(in.get(0), false), c.random(4f, 5, n));
                    c.compare("causal softmax", in -> NnOps.softmax(in.get(0), true), in -> NnOpsReference.softmax(in.get(0), true), c.random(4f, 2, n, n));
                    c.compare("causal suffix", in -> NnOps.softmax(in.get(0), true), in -> NnOpsReference.softmax(in.get(0), true),
                            c.random(4f, 2, Math.min(3, n), n));
                    if (n <= 65) c.compare("causal, attention-sized", in -> NnOps.softmax(in.get(0), true), in -> NnOpsReference.softmax(in.get(0), true),
                            c.random(4f, 16, 8, n, n));
                }),
                pair("NnOps.crossEntropy", sizes(ODD, new int[] {66}), (c, v) -> {
                    for (int rows : new int[] {37, 1024}) {
                        int[] targets = new int[rows];
                        for (int r = 0; r < rows; r++) targets[r] = r % 5 == 0 ? NnOps.IGNORE_INDEX : c.rng.nextInt(v);
                        c.compare("crossEntropy " + rows + " rows", in -> NnOps.crossEntropy(in.get(0), targets),
                                in -> NnOpsReference.crossEntropy(in.get(0), targets), c.random(5f, rows, v));
                    }
                }),
                pair("NnOps.logSumExp", ODD, (c, n) ->
                        c.compare("logSumExp 9x" + n, in -> NnOps.logSumExp(in.get(0)), in -> NnOpsReference.logSumExp(in.get(0)), c.random(5f, 9, n))),
                pair("NnOps.dropout", new int[] {1, 3, 17, 127, 100_003}, (c, n) -> {
                    Rng fastRng = new Rng(n), refRng = new Rng(n);
                    fastRng.nextGaussian(); // leaves a spare normal in the state, which must survive
                    refRng.nextGaussian();
                    c.compare("dropout " + n, in -> NnOps.dropout(in.get(0), 0.3f, fastRng), in -> NnOpsReference.dropout(in.get(0), 0.3f, refRng),
                            c.random(1f, n));
                }),
                pair("NnOps.patchify", new int[] {1, 3, 17, 33}, (c, p) -> {
                    c.compare("patchify by " + p, in -> NnOps.patchify(in.get(0), p), in -> NnOpsReference.patchify(in.get(0), p), c.random(1f, 2, 3, 2 * p, 2 * p));
                    c.compare("patchify by 1", in -> NnOps.patchify(in.get(0), 1), in -> NnOpsReference.patchify(in.get(0), 1), c.random(1f, 1, 2, p, p));
                }));
    }

    // ---- moving values --------------------------------------------------------------------------

    private static Pair permute() {
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        return pair("Shaping.permute", ODD, (c, n) -> {
            for (int[] p : perms) {
                for (int[] shape : new int[][] {{3, n, 5}, {1, n, 2}, {n, 1, 3}}) {
                    c.compare("permute " + Shapes.str(shape) + " by " + java.util.Arrays.toString(p),
                            in -> Shaping.permute(in.get(0), p), in -> ShapingReference.permute(in.get(0), p), c.random(1f, shape));
                }
            }
            c.compare("permute of the attention split", in -> Shaping.permute(Shaping.reshape(in.get(0), 2, n, 3, 4, 5), 2, 0, 3, 1, 4),
                    in -> ShapingReference.permute(Shaping.reshape(in.get(0), 2, n, 3, 4, 5), 2, 0, 3, 1, 4), c.random(1f, 2, n, 60));
            c.compare("permute of a row slice", in -> Shaping.permute(Shaping.sliceRows(in.get(0), 1, 2), 1, 0),
                    in -> ShapingReference.permute(Shaping.sliceRows(in.get(0), 1, 2), 1, 0), c.random(1f, 4, n));
            c.compare("permute of a scalar", in -> Shaping.permute(in.get(0)), in -> ShapingReference.permute(in.get(0)), c.random(1f));
        });
    }

    private static final int[] ROWS = {4, 0, 4, 2, 2, 1}; // repeats, and a row never picked

    private static Pair indexSelect() {
        return pair("Indexing.indexSelect", ODD, (c, width) -> c.compare("indexSelect of rows " + width + " wide",
                in -> Indexing.indexSelect(in.get(0), ROWS), in -> IndexingReference.indexSelect(in.get(0), ROWS), c.random(1f, 5, width)));
    }

    private static Pair indexAdd() {
        return pair("Indexing.indexAdd", ODD, (c, width) -> c.compare("indexAdd of rows " + width + " wide",
                in -> Indexing.indexAdd(in.get(0), ROWS, in.get(1)), in -> IndexingReference.indexAdd(in.get(0), ROWS, in.get(1)),
                c.random(1f, 5, width), c.random(1f, ROWS.length, width)));
    }

    // ---- attention and experts ------------------------------------------------------------------

    /** The size is T; (B, H, hd) cover narrow heads, the direct loops (16, 32) and GEMM (64); 37 and 65 add the model's shapes. */
    private static Pair selfAttention() {
        return pair("FusedAttention.selfAttention", sizes(ODD, new int[] {37}), (c, t) -> {
            int[][] shapes = {{2, 3, 5}, {1, 1, 17}, {3, 2, 16}, {2, 2, 32}, {2, 1, 64}, {4, 8, t == 37 ? 64 : 16}};
            for (boolean causal : new boolean[] {false, true}) {
                for (int[] s : shapes) {
                    if (s[1] == 8 && t != 37 && t != 65) continue; // the ViT's (37 positions) and the decoder's (65) full size only
                    int b = s[0], heads = s[1], hd = s[2];
                    c.compare("attention B=%d T=%d H=%d hd=%d causal=%s".formatted(b, t, heads, hd, causal),
                            in -> FusedAttention.selfAttention(in.get(0), heads, causal),
                            in -> FusedAttentionReference.selfAttention(in.get(0), heads, causal), c.random(2f, b, t, 3 * heads * hd));
                }
            }
        });
    }

    /** The size is T, the positions the queries attend over. */
    private static Pair queryAttention() {
        return pair("FusedAttention.queryAttention", sizes(ODD, new int[] {37}), (c, t) -> {
            for (int[] s : new int[][] {{2, 1, 3, 5}, {1, 3, 1, 17}, {3, 1, 2, 16}, {2, 2, 2, 32}, {2, 1, 2, 64}}) {
                int b = s[0], tq = s[1], heads = s[2], hd = s[3];
                c.compare("query attention B=%d Tq=%d T=%d H=%d hd=%d".formatted(b, tq, t, heads, hd),
                        in -> FusedAttention.queryAttention(in.get(0), in.get(1), heads),
                        in -> FusedAttentionReference.queryAttention(in.get(0), in.get(1), heads),
                        c.random(2f, b, tq, heads * hd), c.random(2f, b, t, 2 * heads * hd));
            }
        });
    }

    /** Per token count N: width C, hidden H, experts E, top-k and capacity (0: none), from one expert to the model's size. */
    private static final int[][] EXPERT_SHAPES = {{1, 3, 5, 2, 1, 0}, {3, 8, 8, 8, 2, 0}, {17, 5, 9, 4, 2, 0}, {33, 16, 64, 8, 2, 0},
        {40, 17, 33, 6, 3, 0}, {65, 32, 128, 8, 2, 9}, {260, 128, 512, 8, 2, 0}};

    private static Pair experts() {
        return pair("ExpertMlps.forward", java.util.Arrays.stream(EXPERT_SHAPES).mapToInt(s -> s[0]).toArray(), (c, n) -> {
            int[] s = java.util.Arrays.stream(EXPERT_SHAPES).filter(x -> x[0] == n).findFirst().orElseThrow();
            int width = s[1], hidden = s[2], count = s[3], k = s[4], capacity = s[5] == 0 ? Integer.MAX_VALUE : s[5];
            int[][][] routing = route(c.rng, n, count, k, capacity);
            int[][] rows = routing[0], slots = routing[1];
            List<Tensor> inputs = new ArrayList<>(List.of(c.random(1f, n, width), c.random(1f, n * k)));
            float s1 = (float) (1 / Math.sqrt(width)), s2 = (float) (1 / Math.sqrt(hidden)); // 1/sqrt(fan-in): activations stay O(1)
            for (int e = 0; e < count; e++) {
                boolean used = rows[e].length > 0; // an expert with no rows gets no gradient, in either version
                for (Tensor w : new Tensor[] {c.random(s1, hidden, width), c.random(s1, hidden), c.random(s2, width, hidden), c.random(s2, width)}) {
                    inputs.add(used ? w : Tensor.of(w.toArray(), w.shape()));
                }
            }
            c.compare("experts N=%d C=%d H=%d E=%d k=%d capacity=%d".formatted(n, width, hidden, count, k, s[5]),
                    in -> ExpertMlps.forward(in.get(0), experts(in.subList(2, in.size())), rows, slots, in.get(1)),
                    in -> ExpertMlpsReference.forward(in.get(0), experts(in.subList(2, in.size())), rows, slots, in.get(1)),
                    inputs.toArray(Tensor[]::new));
        });
    }

    private static ExpertMlps.Expert[] experts(List<Tensor> w) {
        ExpertMlps.Expert[] out = new ExpertMlps.Expert[w.size() / 4];
        for (int e = 0; e < out.length; e++) out[e] = new ExpertMlps.Expert(w.get(4 * e), w.get(4 * e + 1), w.get(4 * e + 2), w.get(4 * e + 3));
        return out;
    }

    /** Routes n tokens to k distinct random experts each, dropping assignments past an expert's capacity: {rows, slots} per expert. */
    private static int[][][] route(Rng rng, int n, int count, int k, int capacity) {
        List<List<Integer>> rowList = new ArrayList<>(), slotList = new ArrayList<>();
        for (int e = 0; e < count; e++) {
            rowList.add(new ArrayList<>());
            slotList.add(new ArrayList<>());
        }
        for (int t = 0; t < n; t++) {
            List<Integer> chosen = new ArrayList<>();
            while (chosen.size() < k) {
                int e = rng.nextInt(count);
                if (!chosen.contains(e)) chosen.add(e);
            }
            for (int j = 0; j < k; j++) {
                int e = chosen.get(j);
                if (rowList.get(e).size() == capacity) continue;
                rowList.get(e).add(t);
                slotList.get(e).add(t * k + j);
            }
        }
        int[][] rows = new int[count][], slots = new int[count][];
        for (int e = 0; e < count; e++) {
            rows[e] = rowList.get(e).stream().mapToInt(Integer::intValue).toArray();
            slots[e] = slotList.get(e).stream().mapToInt(Integer::intValue).toArray();
        }
        return new int[][][] {rows, slots};
    }

    // ---- wrong on purpose -----------------------------------------------------------------------

    /** Pairs whose fast side is wrong on purpose: the harness must fail each of them. */
    static List<Pair> mutants() {
        List<Pair> mutants = new ArrayList<>(LanguageModelPairs.mutants());
        mutants.addAll(List.of(
                pair("NnOps.softmax forgetting the causal mask", ODD, (c, n) -> c.compare("causal softmax",
                        in -> NnOps.softmax(in.get(0), false), in -> NnOpsReference.softmax(in.get(0), true), c.random(4f, 2, n, n))),
                pair("NnOps.layerNorm with eps 1e-3 instead of 1e-5", ODD, (c, n) -> c.compare("layerNorm",
                        in -> NnOps.layerNorm(in.get(0), in.get(1), in.get(2), 1e-3f), in -> NnOpsReference.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f),
                        c.random(3f, 5, n), c.random(1f, n), c.random(1f, n))),
                pair("Elementwise.gelu off by one part in 10^4", ODD, (c, n) -> c.compare("gelu",
                        in -> Elementwise.mul(Elementwise.gelu(in.get(0)), Tensor.scalar(1.0001f)), in -> ElementwiseReference.gelu(in.get(0)),
                        c.random(6f, 5, n))),
                pair("NnOps.rmsNorm with 1 + weight", ODD, (c, n) -> c.compare("rmsNorm",
                        in -> NnOps.rmsNorm(in.get(0), Elementwise.add(in.get(1), Tensor.scalar(1f)), 1e-6f),
                        in -> NnOpsReference.rmsNorm(in.get(0), in.get(1), 1e-6f), c.random(3f, 5, n), c.random(1f, n))),
                pair("Elementwise.scale whose last bits depend on the thread count", ODD, (c, n) -> c.compare("scale",
                        in -> Elementwise.scale(in.get(0), 1.5f * (1 + 1e-6f * (Parallel.threads() - 1))),
                        in -> ElementwiseReference.scale(in.get(0), 1.5f), c.random(1f, 5, n)))));
        return mutants;
    }
}
