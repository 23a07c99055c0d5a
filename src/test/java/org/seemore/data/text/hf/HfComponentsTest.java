package org.seemore.data.text.hf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.data.text.HfFixtures;
import org.seemore.data.text.TokenIds;

/**
 * The tokenizer.json components one by one, on the examples the tokenizers library documents and tests
 * (its docstrings for Split and Digits, its Rust tests for Metaspace, the decoders, added tokens and BPE).
 */
class HfComponentsTest {
    static final Spec SPEC = new Spec(Path.of("test.json"));

    static JsonNode json(String text) {
        try {
            return HfFixtures.JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static List<String> pieces(String preTokenizer, PreTokenizer.Piece... input) {
        return PreTokenizer.parse(json(preTokenizer), SPEC).split(List.of(input)).stream().map(PreTokenizer.Piece::text).toList();
    }

    static List<String> pieces(String preTokenizer, String text) {
        return pieces(preTokenizer, new PreTokenizer.Piece(text, true));
    }

    @Test
    void splitBehavioursFollowTheDocumentedExample() {
        String split = "{'type': 'Split', 'pattern': {'String': '-'}, 'invert': false, 'behavior': '%s'}";
        String text = "the-final--countdown";
        assertThat(pieces(split.formatted("Removed"), text)).containsExactly("the", "final", "countdown");
        assertThat(pieces(split.formatted("Isolated"), text)).containsExactly("the", "-", "final", "-", "-", "countdown");
        assertThat(pieces(split.formatted("MergedWithPrevious"), text)).containsExactly("the-", "final-", "-", "countdown");
        assertThat(pieces(split.formatted("MergedWithNext"), text)).containsExactly("the", "-final", "-", "-countdown");
        assertThat(pieces(split.formatted("Contiguous"), text)).containsExactly("the", "-", "final", "--", "countdown");
        assertThat(pieces("{'type': 'Split', 'pattern': {'Regex': '[a-z]+'}, 'invert': true, 'behavior': 'Removed'}", text))
                .containsExactly("the", "final", "countdown");
    }

    @Test
    void digitsSplitAsDocumented() {
        assertThat(pieces("{'type': 'Digits', 'individual_digits': true}", "Hey 123 friend!")).containsExactly("Hey ", "1", "2", "3", " friend!");
        assertThat(pieces("{'type': 'Digits', 'individual_digits': false}", "Hey 123 friend!")).containsExactly("Hey ", "123", " friend!");
    }

    @Test
    void metaspacePrependsAndSplitsAsTheLibraryTests() {
        String always = "{'type': 'Metaspace', 'replacement': '▁', 'prepend_scheme': 'always', 'split': true}";
        assertThat(pieces(always, "Hey friend!")).containsExactly("▁Hey", "▁friend!");
        assertThat(pieces(always, "Hey   friend!")).containsExactly("▁Hey", "▁", "▁", "▁friend!");
        // Older files: add_prefix_space instead of prepend_scheme, and no split field (split).
        assertThat(pieces("{'type': 'Metaspace', 'replacement': '▁', 'add_prefix_space': true}", "Hey friend!")).containsExactly("▁Hey", "▁friend!");
        // "first": only the piece at the very start of the input gets the prefix (here the text around an added <s>).
        String first = "{'type': 'Metaspace', 'replacement': '▁', 'prepend_scheme': 'first', 'split': false}";
        assertThat(pieces(first, new PreTokenizer.Piece("Hey my friend ", true), new PreTokenizer.Piece("how▁are you", false)))
                .containsExactly("▁Hey▁my▁friend▁", "how▁are▁you");
        assertThat(pieces(first, new PreTokenizer.Piece(" Hey ", true), new PreTokenizer.Piece("how", false))).containsExactly("▁Hey▁", "how");
        assertThat(pieces("{'type': 'Metaspace', 'replacement': '▁', 'prepend_scheme': 'never', 'split': true}", "Hey friend")).containsExactly("Hey", "▁friend");
    }

    @Test
    void byteLevelMapsBytesAndAddsThePrefixSpace() {
        assertThat(pieces("{'type': 'ByteLevel', 'add_prefix_space': true, 'use_regex': true}", "Hello world")).containsExactly("ĠHello", "Ġworld");
        assertThat(pieces("{'type': 'ByteLevel', 'add_prefix_space': false, 'use_regex': false}", "Hé\n")).containsExactly("HÃ©Ċ");
    }

    static List<String> decode(String decoder, String... tokens) {
        return Decoder.parse(json(decoder), SPEC).decode(List.of(tokens));
    }

    @Test
    void decodersMatchTheLibraryTests() {
        assertThat(decode("{'type': 'ByteFallback'}", "<0xE5>", "<0x8f>", "<0xab>", "a")).containsExactly("叫", "a");
        assertThat(decode("{'type': 'ByteFallback'}", "<0xE5>", "<0x8f>", "a")).containsExactly("\uFFFD", "\uFFFD", "a");
        assertThat(decode("{'type': 'Strip', 'content': 'H', 'start': 1, 'stop': 0}", "Hey", " friend!", "HHH")).containsExactly("ey", " friend!", "HH");
        assertThat(decode("{'type': 'Strip', 'content': 'y', 'start': 0, 'stop': 1}", "Hey", " friend!")).containsExactly("He", " friend!");
        assertThat(decode("{'type': 'Fuse'}", "Hey", " friend!")).containsExactly("Hey friend!");
        assertThat(decode("{'type': 'Metaspace', 'replacement': '▁', 'prepend_scheme': 'always'}", "▁Hey", "▁friend!")).containsExactly("Hey", " friend!");
        assertThat(decode("{'type': 'Metaspace', 'replacement': '▁', 'prepend_scheme': 'never'}", "▁Hey", "▁friend!")).containsExactly(" Hey", " friend!");
        assertThat(decode("{'type': 'Replace', 'pattern': {'String': '▁'}, 'content': ' '}", "▁a▁b")).containsExactly(" a b");
        assertThat(decode("{'type': 'ByteLevel'}", "Hello", "Ġworld", "Ċ", "<|im_end|>")).containsExactly("Hello world\n<|im_end|>");
    }

    @Test
    void normalizersRewriteTheText() {
        assertThat(Normalizer.parse(json("{'type': 'Prepend', 'prepend': '▁'}"), SPEC).normalize("")).isEmpty();
        assertThat(Normalizer.parse(json("{'type': 'Sequence', 'normalizers': [{'type': 'Prepend', 'prepend': '▁'}, {'type': 'Replace', 'pattern': {'String': ' '}, 'content': '▁'}]}"), SPEC)
                .normalize("a b")).isEqualTo("▁a▁b");
        assertThat(Normalizer.parse(json("{'type': 'NFC'}"), SPEC).normalize("cafe\u0301")).isEqualTo("café");
        assertThat(Normalizer.parse(json("{'type': 'Strip', 'strip_left': true, 'strip_right': false}"), SPEC).normalize("\u00a0 x ")).isEqualTo("x ");
        assertThat(Normalizer.parse(json("{'type': 'Replace', 'pattern': {'Regex': ' {2,}'}, 'content': ' '}"), SPEC).normalize("a   b")).isEqualTo("a b");
        assertThat(Normalizer.parse(null, SPEC).normalize("as is")).isEqualTo("as is");
    }

    static String segments(AddedVocabulary vocabulary, Normalizer normalizer, String text) {
        StringBuilder out = new StringBuilder();
        for (AddedVocabulary.Segment segment : vocabulary.split(text, normalizer)) {
            out.append(segment.addedId() >= 0 ? "<" + segment.addedId() + ">" : "[" + segment.text() + "]");
        }
        return out.toString();
    }

    @Test
    void addedTokensHonourStripAndSingleWordAsTheLibraryTests() {
        Normalizer lowercase = Normalizer.parse(json("{'type': 'Lowercase'}"), SPEC);
        AddedVocabulary vocabulary = new AddedVocabulary(List.of(
                new AddedVocabulary.AddedToken(0, "my", false, true, true, true, false),
                new AddedVocabulary.AddedToken(1, "name", false, true, false, false, false),
                new AddedVocabulary.AddedToken(2, "ony", false, true, false, false, true),
                new AddedVocabulary.AddedToken(3, "[CLS]", true, false, false, false, false),
                new AddedVocabulary.AddedToken(4, "[SEP]", true, false, false, false, false)), lowercase);
        assertThat(segments(vocabulary, lowercase, "[CLS] My name is Anthony [SEP]")).isEqualTo("<3><0><1>[ is anthony ]<4>");
        AddedVocabulary mask = new AddedVocabulary(List.of(new AddedVocabulary.AddedToken(0, "<mask>", false, true, false, false, true)), lowercase);
        assertThat(segments(mask, lowercase, "<mask> My name <mask> A<mask> <mask>ony <mask>")).isEqualTo("<0>[ my name ]<0>[ a<mask> <mask>ony ]<0>");
        // Leftmost-longest: the longer token wins where both start.
        AddedVocabulary nested = new AddedVocabulary(List.of(new AddedVocabulary.AddedToken(0, "<|im", true, false, false, false, false),
                new AddedVocabulary.AddedToken(1, "<|im_start|>", true, false, false, false, false)), text -> text);
        assertThat(segments(nested, text -> text, "a<|im_start|>b<|im")).isEqualTo("[a]<1>[b]<0>");
    }

    static Bpe bpe(String model) {
        return Bpe.parse(json(model), SPEC);
    }

    static int[] tokenize(Bpe model, String word) {
        TokenIds ids = new TokenIds();
        model.tokenize(word, ids);
        return ids.toArray();
    }

    @Test
    void bpeOptionsBehaveAsInTheLibrary() {
        String vocab = "'vocab': {'a': 0, 'b': 1, 'c': 2, 'bc': 3, 'abc': 4}, 'merges': ['b c']";
        assertThat(tokenize(bpe("{'type': 'BPE', " + vocab + "}"), "abc")).containsExactly(0, 3);
        assertThat(tokenize(bpe("{'type': 'BPE', " + vocab + ", 'ignore_merges': true}"), "abc")).containsExactly(4);
        String unk = "'vocab': {'<unk>': 0, 'a': 1, 'b': 2}, 'merges': [], 'unk_token': '<unk>'";
        assertThat(tokenize(bpe("{'type': 'BPE', " + unk + "}"), "accb")).containsExactly(1, 0, 0, 2);
        assertThat(tokenize(bpe("{'type': 'BPE', " + unk + ", 'fuse_unk': true}"), "accb")).containsExactly(1, 0, 2);
        String bytes = "'vocab': {'<unk>': 0, 'a': 1, '<0xC3>': 2, '<0xA9>': 3}, 'merges': [], 'unk_token': '<unk>', 'byte_fallback': true";
        assertThat(tokenize(bpe("{'type': 'BPE', " + bytes + "}"), "aéx")).containsExactly(1, 2, 3, 0);
        // Merges by rank, not by order in the word: "b c" (rank 0) before "a b" (rank 1).
        String ranks = "'vocab': {'a': 0, 'b': 1, 'c': 2, 'ab': 3, 'bc': 4}, 'merges': [['b', 'c'], ['a', 'b']]";
        assertThat(tokenize(bpe("{'type': 'BPE', " + ranks + "}"), "abc")).containsExactly(0, 4);
        // A continuing-subword prefix: the merged token drops the right part's prefix.
        String prefixed = "'vocab': {'a': 0, '##b': 1, 'ab': 2}, 'merges': ['a ##b'], 'continuing_subword_prefix': '##'";
        assertThat(tokenize(bpe("{'type': 'BPE', " + prefixed + "}"), "ab")).containsExactly(2);
    }

    @Test
    void mergeTableAndHeapHandleManyEntries() {
        Bpe.MergeTable table = new Bpe.MergeTable(5000);
        for (int i = 0; i < 5000; i++) table.put(i, i + 1, i, 100_000 + i);
        for (int i = 0; i < 5000; i++) assertThat(table.get(i, i + 1)).isEqualTo((long) i << 32 | (100_000 + i));
        assertThat(table.get(1, 0)).isEqualTo(-1);
        // Sized for its merges, the table refuses more instead of probing forever.
        Bpe.MergeTable small = new Bpe.MergeTable(2);
        small.put(1, 1, 0, 0);
        small.put(2, 2, 1, 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> small.put(3, 3, 2, 0)).isInstanceOf(IllegalStateException.class);
        org.seemore.data.text.LongHeap heap = new org.seemore.data.text.LongHeap(2);
        java.util.Random random = new java.util.Random(7);
        long[] values = random.longs(1000, 0, 1L << 50).toArray();
        for (long value : values) heap.push(value);
        java.util.Arrays.sort(values);
        for (long value : values) assertThat(heap.pop()).isEqualTo(value);
        assertThat(heap.isEmpty()).isTrue();
    }
}
