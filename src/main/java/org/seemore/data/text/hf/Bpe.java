package org.seemore.data.text.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.seemore.data.text.LongHeap;
import org.seemore.data.text.TokenIds;

/**
 * The BPE model of a {@code tokenizer.json}: a word starts as one symbol per character and the adjacent
 * pair with the lowest merge rank is merged, leftmost first on ties, until no pair has a rank (the
 * tokenizers library's {@code Word::merge_all}, with a priority queue, so a long word costs
 * O(n log n)). Characters missing from the vocabulary become {@code <0xNN>} byte tokens with
 * {@code byte_fallback}, else the unknown token (fused into one with {@code fuse_unk}), else nothing.
 *
 * <p>Merged words are cached (up to {@value #CACHE_CAPACITY} words shorter than {@value #MAX_CACHED_LENGTH}
 * characters, as the tokenizers library does); the model is safe to share between threads.
 */
final class Bpe {
    static final int CACHE_CAPACITY = 10_000;
    static final int MAX_CACHED_LENGTH = 256;
    private static final long ABSENT = -1;

    private final Map<String, Integer> vocab;
    private final String[] tokens;
    private final MergeTable merges;
    /** The id of each single-character token, for the common case without a subword prefix or suffix; -1 if none. */
    private final int[] charIds;
    private final int[] byteIds;
    private final int unkId;
    private final String prefix;
    private final String suffix;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    private Bpe(Map<String, Integer> vocab, MergeTable merges, String unkToken, String prefix, String suffix,
                boolean fuseUnk, boolean byteFallback, boolean ignoreMerges) {
        this.vocab = vocab;
        this.merges = merges;
        this.prefix = prefix;
        this.suffix = suffix;
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        this.unkId = unkToken == null ? -1 : vocab.getOrDefault(unkToken, -1);
        int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        tokens = new String[maxId + 1];
        vocab.forEach((token, id) -> tokens[id] = token);
        charIds = new int[Character.MAX_VALUE + 1];
        Arrays.fill(charIds, -1);
        if (prefix == null && suffix == null) vocab.forEach((token, id) -> { if (token.length() == 1) charIds[token.charAt(0)] = id; });
        byteIds = new int[256];
        for (int b = 0; b < 256; b++) byteIds[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);
    }

    /** The model of a {@code tokenizer.json}'s {@code "model"} object (type BPE). */
    static Bpe parse(JsonNode node, Spec spec) {
        String component = "model BPE";
        JsonNode vocabNode = node.get("vocab");
        if (vocabNode == null || !vocabNode.isObject()) throw spec.fail(component + " needs a \"vocab\" object of token: id");
        Map<String, Integer> vocab = new HashMap<>(2 * vocabNode.size());
        vocabNode.properties().forEach(entry -> {
            if (!entry.getValue().canConvertToInt() || entry.getValue().intValue() < 0) {
                throw spec.fail(component + " vocab entry " + entry.getKey() + " has id " + entry.getValue() + ", not a non-negative integer");
            }
            vocab.put(entry.getKey(), entry.getValue().intValue());
        });
        String prefix = emptyToNull(spec.optionalText(node, "continuing_subword_prefix", component));
        String suffix = emptyToNull(spec.optionalText(node, "end_of_word_suffix", component));
        JsonNode dropout = node.get("dropout");
        if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0) {
            throw spec.fail(component + " has dropout " + dropout + "; BPE dropout (a training-time option) is not supported");
        }
        JsonNode mergesNode = node.get("merges");
        MergeTable merges = new MergeTable(mergesNode == null ? 0 : mergesNode.size());
        if (mergesNode != null && !mergesNode.isNull()) {
            if (!mergesNode.isArray()) throw spec.fail(component + " \"merges\" must be a list");
            int prefixLength = prefix == null ? 0 : prefix.length();
            for (int rank = 0; rank < mergesNode.size(); rank++) {
                String[] pair = mergePair(mergesNode.get(rank), rank, spec);
                Integer left = vocab.get(pair[0]);
                Integer right = vocab.get(pair[1]);
                String mergedToken = pair[0] + pair[1].substring(Math.min(prefixLength, pair[1].length()));
                Integer merged = vocab.get(mergedToken);
                if (left == null || right == null || merged == null) {
                    String missing = left == null ? pair[0] : right == null ? pair[1] : mergedToken;
                    throw spec.fail(component + " merge " + rank + " (" + pair[0] + " " + pair[1] + ") uses \"" + missing + "\", which is not in the vocabulary");
                }
                merges.put(left, right, rank, merged);
            }
        }
        return new Bpe(vocab, merges, spec.optionalText(node, "unk_token", component), prefix, suffix,
                spec.bool(node, "fuse_unk", false, component), spec.bool(node, "byte_fallback", false, component),
                spec.bool(node, "ignore_merges", false, component));
    }

    /** Built from GPT-2's {@code vocab.json} and {@code merges.txt} lines ({@code "left right"}), as the slow GPT-2 tokenizer uses them. */
    static Bpe of(Map<String, Integer> vocab, List<String[]> mergePairs, Spec spec) {
        MergeTable merges = new MergeTable(mergePairs.size());
        for (int rank = 0; rank < mergePairs.size(); rank++) {
            String[] pair = mergePairs.get(rank);
            Integer left = vocab.get(pair[0]);
            Integer right = vocab.get(pair[1]);
            Integer merged = vocab.get(pair[0] + pair[1]);
            if (left == null || right == null || merged == null) {
                throw spec.fail("merge " + (rank + 1) + " (" + pair[0] + " " + pair[1] + ") uses a token that is not in the vocabulary");
            }
            merges.put(left, right, rank, merged);
        }
        return new Bpe(vocab, merges, null, null, null, false, false, false);
    }

    /** A merge as {@code "left right"} (tokenizers before 0.20, GPT-2's hub file) or {@code ["left", "right"]} (0.20 and later). */
    private static String[] mergePair(JsonNode merge, int rank, Spec spec) {
        if (merge.isTextual()) {
            String[] parts = merge.textValue().split(" ", -1);
            if (parts.length == 2) return parts;
        } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
            return new String[] {merge.get(0).textValue(), merge.get(1).textValue()};
        }
        throw spec.fail("model BPE merge " + rank + " is " + merge + ", neither \"left right\" nor [\"left\", \"right\"]");
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    /** The highest id of the vocabulary, or -1 if it is empty. */
    int maxId() {
        return tokens.length - 1;
    }

    String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    Integer id(String token) {
        return vocab.get(token);
    }

    Integer unkId() {
        return unkId < 0 ? null : unkId;
    }

    /** Appends the ids of one pre-tokenized word. */
    void tokenize(String word, TokenIds out) {
        if (word.isEmpty()) return;
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        int[] cached = cache.get(word);
        if (cached == null) {
            cached = merge(word);
            if (word.length() < MAX_CACHED_LENGTH && cache.size() < CACHE_CAPACITY) cache.put(word, cached);
        }
        out.addAll(cached);
    }

    /** The initial symbols of a word (one per character, or its bytes, or unknown), then every merge by rank. */
    private int[] merge(String word) {
        TokenIds symbols = new TokenIds();
        int pendingUnk = -1;
        for (int i = 0; i < word.length(); ) {
            int c = word.codePointAt(i);
            int next = i + Character.charCount(c);
            int id = symbolId(word, i, next);
            i = next;
            if (id >= 0) {
                if (pendingUnk >= 0) symbols.add(pendingUnk);
                pendingUnk = -1;
                symbols.add(id);
                continue;
            }
            if (byteFallback && addBytes(Character.toString(c), symbols)) continue;
            if (unkId >= 0) {
                if (pendingUnk >= 0 && !fuseUnk) symbols.add(pendingUnk);
                pendingUnk = unkId;
            }
        }
        if (pendingUnk >= 0) symbols.add(pendingUnk);
        return mergeAll(symbols.toArray());
    }

    private int symbolId(String word, int start, int end) {
        if (prefix == null && suffix == null && end - start == 1) return charIds[word.charAt(start)];
        String symbol = word.substring(start, end);
        if (prefix != null && start > 0) symbol = prefix + symbol;
        if (suffix != null && end == word.length()) symbol = symbol + suffix;
        return vocab.getOrDefault(symbol, -1);
    }

    /** The {@code <0xNN>} ids of a character's UTF-8 bytes, if the vocabulary has all of them. */
    private boolean addBytes(String character, TokenIds symbols) {
        byte[] bytes = character.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) if (byteIds[b & 0xFF] < 0) return false;
        for (byte b : bytes) symbols.add(byteIds[b & 0xFF]);
        return true;
    }

    /** Merges adjacent symbols by rank: a min-heap of (rank, position) keys, stale entries skipped when popped. */
    private int[] mergeAll(int[] ids) {
        int n = ids.length;
        if (n < 2) return ids;
        int[] previous = new int[n];
        int[] next = new int[n];
        boolean[] alive = new boolean[n];
        for (int i = 0; i < n; i++) {
            previous[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            alive[i] = true;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) push(heap, ids[i], ids[i + 1], i);
        int remaining = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32);
            int position = (int) top;
            if (!alive[position] || next[position] < 0) continue;
            int right = next[position];
            long merge = merges.get(ids[position], ids[right]);
            if (merge == ABSENT || (int) (merge >>> 32) != rank) continue;
            ids[position] = (int) merge;
            alive[right] = false;
            remaining--;
            next[position] = next[right];
            if (next[right] >= 0) previous[next[right]] = position;
            if (previous[position] >= 0) push(heap, ids[previous[position]], ids[position], previous[position]);
            if (next[position] >= 0) push(heap, ids[position], ids[next[position]], position);
        }
        int[] out = new int[remaining];
        for (int i = 0, k = 0; i >= 0; i = next[i]) out[k++] = ids[i];
        return out;
    }

    private void push(LongHeap heap, int left, int right, int position) {
        long merge = merges.get(left, right);
        if (merge != ABSENT) heap.push((merge >>> 32) << 32 | position);
    }

    /** Pair of ids to (rank, merged id), packed in longs, with open addressing: the hot lookup of BPE without boxing. */
    static final class MergeTable {
        private final long[] keys;
        private final long[] values;
        private final int mask;
        private final int shift;
        private int size;

        MergeTable(int expected) {
            int capacity = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
            keys = new long[capacity];
            values = new long[capacity];
            Arrays.fill(keys, ABSENT);
            mask = capacity - 1;
            shift = 64 - Integer.numberOfTrailingZeros(capacity);
        }

        /**
         * Later merges of the same pair replace earlier ones, as in the tokenizers library's map. The table is
         * sized for the merges it was made for and does not grow.
         */
        void put(int left, int right, int rank, int merged) {
            long key = (long) left << 32 | right;
            int slot = slot(key);
            while (keys[slot] != ABSENT && keys[slot] != key) slot = (slot + 1) & mask;
            if (keys[slot] == ABSENT && ++size > keys.length / 2) throw new IllegalStateException("merge table sized for fewer merges");
            keys[slot] = key;
            values[slot] = (long) rank << 32 | merged;
        }

        /** {@code rank << 32 | mergedId}, or -1 if the pair has no merge. */
        long get(int left, int right) {
            long key = (long) left << 32 | right;
            for (int slot = slot(key); keys[slot] != ABSENT; slot = (slot + 1) & mask) {
                if (keys[slot] == key) return values[slot];
            }
            return ABSENT;
        }

        private int slot(long key) {
            // Fibonacci hashing: the top bits of the product mix every bit of both ids.
            return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
        }
    }
}
