package org.seemore.tensor;

import static org.seemore.tensor.TensorPairs.pair;
import static org.seemore.tensor.kernels.KernelPairs.ODD;
import static org.seemore.tensor.kernels.KernelPairs.sizes;

import java.util.List;
import org.seemore.tensor.kernels.Pair;

/**
 * The fast/reference pairs of the ops Hugging Face's decoders and vision towers add (rotary
 * embeddings, grouped-query attention with a padding mask), registered through {@link TensorPairs}
 * for {@link FastReferencePairsTest}; the activations and RMSNorm sit with their kinds there.
 */
final class LanguageModelPairs {
    private LanguageModelPairs() {}

    static List<Pair> all() {
        return List.of(rope(), attention());
    }

    private static final java.util.Map<Integer, RopeTable> TABLES = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Tables of the three kinds of checkpoint: Llama 2's theta, Qwen2's, and Llama 3.1's rescaled
     * frequencies; kept, as they grow to tens of thousands of positions.
     */
    static RopeTable table(int hd, int kind) {
        return TABLES.computeIfAbsent(hd * 3 + kind, key -> switch (kind) {
            case 0 -> RopeTable.of(RopeTable.standardFrequencies(hd, 10_000f));
            case 1 -> RopeTable.of(RopeTable.standardFrequencies(hd, 1_000_000f));
            default -> RopeTable.of(RopeTable.llama3Frequencies(RopeTable.standardFrequencies(hd, 500_000f), 8f, 1f, 4f, 8192));
        });
    }

    /**
     * The size is T; (B, H, hd) from one pair of values to Llama's head of 128, with half heads below,
     * at and past a vector; positions 0..T-1 shared by the batch, or one per row up to 20000.
     */
    private static Pair rope() {
        return pair("Rope.apply", sizes(ODD, new int[] {300}), (c, t) -> {
            int[][] shapes = {{1, 1, 2}, {2, 3, 16}, {2, 2, 34}, {1, 3, 64}, {2, 1, 128}};
            for (int s = 0; s < shapes.length; s++) {
                int b = shapes[s][0], heads = shapes[s][1], hd = shapes[s][2];
                RopeTable table = table(hd, s % 3);
                int[] shared = new int[t], perRow = new int[b * t];
                for (int i = 0; i < t; i++) shared[i] = i;
                for (int i = 0; i < perRow.length; i++) perRow[i] = c.rng.nextInt(20_000);
                for (int[] positions : new int[][] {shared, perRow}) {
                    c.compare("rope B=%d T=%d H=%d hd=%d, %d positions".formatted(b, t, heads, hd, positions.length),
                            in -> Rope.apply(in.get(0), heads, table, positions), in -> RopeReference.apply(in.get(0), heads, table, positions),
                            c.random(2f, b, t, heads * hd));
                }
            }
        });
    }

    /** Key masks for B sequences of tk keys: every kind of padding, and a sequence with no key kept. */
    static int[][] masks(int b, int tk, Rng rng) {
        int[] right = new int[b * tk], left = new int[b * tk], holes = new int[b * tk], none = new int[b * tk];
        for (int bi = 0; bi < b; bi++) {
            int pad = Math.min(tk - 1, (bi + 1) * tk / 4);
            for (int j = 0; j < tk; j++) {
                right[bi * tk + j] = j < tk - pad ? 1 : 0;
                left[bi * tk + j] = j >= pad ? 1 : 0; // causal rows below pad see no key: HF's uniform rows
                holes[bi * tk + j] = rng.nextInt(3) == 0 ? 0 : 1;
                none[bi * tk + j] = bi == 0 ? 0 : 1;
            }
        }
        return new int[][] {null, right, left, holes, none};
    }

    /**
     * The size is Tk; (B, H, KV, hd) cover plain multi-head (KV = H), grouped (Llama's 4 over 2,
     * SmolLM2's 9 over 3) and multi-query (KV = 1) heads on the direct loops (16, 32) and GEMM (5, 64);
     * causal with all Tk queries or the last few (a cached suffix), and not causal (the vision towers);
     * each shape without a mask and with one of the {@link #masks}.
     */
    private static Pair attention() {
        return pair("FusedAttention.attention", sizes(ODD, new int[] {37}), (c, tk) -> {
            int[][] shapes = {{2, 4, 2, 16}, {1, 3, 1, 5}, {2, 6, 3, 32}, {1, 2, 2, 64}, {2, 9, 3, 64}};
            for (int s = 0; s < shapes.length; s++) {
                int b = shapes[s][0], heads = shapes[s][1], kvHeads = shapes[s][2], hd = shapes[s][3];
                if (tk == 127 && s == 4) continue; // the largest shape at 37 and below only
                int[][] masks = masks(b, tk, c.rng);
                for (int m : new int[] {0, 1 + s % 4}) { // no mask, and one kind each (right padding twice)
                    int[] mask = masks[m];
                    boolean causal = m == 2 || (m + s) % 2 == 0; // left padding: causal rows that see no key
                    int tq = causal && m == 1 && tk > 3 ? 3 : tk;
                    c.compare("attention B=%d Tq=%d Tk=%d H=%d KV=%d hd=%d causal=%s mask %d".formatted(b, tq, tk, heads, kvHeads, hd, causal, m),
                            in -> FusedAttention.attention(in.get(0), in.get(1), in.get(2), heads, kvHeads, causal, mask),
                            in -> FusedAttentionReference.attention(in.get(0), in.get(1), in.get(2), heads, kvHeads, causal, mask),
                            c.random(2f, b, tq, heads * hd), c.random(2f, b, tk, kvHeads * hd), c.random(2f, b, tk, kvHeads * hd));
                }
            }
        });
    }

    /** Pairs whose fast side is wrong on purpose: the harness must fail each of them. */
    static List<Pair> mutants() {
        RopeTable table = table(16, 0);
        return List.of(
                pair("Rope.apply one position late", ODD, (c, n) -> {
                    int[] positions = new int[n], later = new int[n];
                    for (int i = 0; i < n; i++) later[i] = (positions[i] = i) + 1;
                    c.compare("rope", in -> Rope.apply(in.get(0), 2, table, later), in -> RopeReference.apply(in.get(0), 2, table, positions),
                            c.random(1f, 1, n, 32));
                }),
                pair("FusedAttention.attention forgetting the key mask", ODD, (c, n) -> {
                    int[] mask = masks(2, n + 1, c.rng)[1];
                    c.compare("attention", in -> FusedAttention.attention(in.get(0), in.get(1), in.get(2), 4, 2, true, null),
                            in -> FusedAttentionReference.attention(in.get(0), in.get(1), in.get(2), 4, 2, true, mask),
                            c.random(2f, 2, n + 1, 64), c.random(2f, 2, n + 1, 32), c.random(2f, 2, n + 1, 32));
                }),
                pair("FusedAttention.attention giving query head h the kv head h % KV", ODD, (c, n) -> {
                    // heads 0..3 over kv heads 0, 1, 0, 1 instead of 0, 0, 1, 1: the kv heads' halves swapped for heads 1 and 2
                    c.compare("attention", in -> FusedAttention.attention(permuteHeads(in.get(0)), in.get(1), in.get(2), 4, 2, false, null),
                            in -> permuteHeads(FusedAttentionReference.attention(in.get(0), in.get(1), in.get(2), 4, 2, false, null)),
                            c.random(2f, 1, n, 64), c.random(2f, 1, n, 32), c.random(2f, 1, n, 32));
                }));
    }

    /** Swaps heads 1 and 2 of (B, T, 4*16). */
    private static Tensor permuteHeads(Tensor x) {
        int b = x.dim(0), t = x.dim(1);
        Tensor heads = Shaping.reshape(x, b, t, 4, 16);
        return Shaping.reshape(Shaping.concat(2, Shaping.slice(heads, 2, 0, 1), Shaping.slice(heads, 2, 2, 1), Shaping.slice(heads, 2, 1, 1),
                Shaping.slice(heads, 2, 3, 1)), b, t, 64);
    }
}
