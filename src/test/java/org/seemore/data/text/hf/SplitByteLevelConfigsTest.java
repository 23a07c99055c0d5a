package org.seemore.data.text.hf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.data.text.HfFixtures;
import org.seemore.data.text.TokenIds;
import org.seemore.data.text.TokenizerConfig;

/**
 * The pre-tokenizer layouts of Llama 3 and Qwen2 (a Split on their own regex, then ByteLevel without its
 * regex; Qwen2 also NFC), run on GPT-2's vocabulary: the pieces are the ones the regexes define, and each
 * piece goes through BPE as one word.
 */
class SplitByteLevelConfigsTest {
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final Path GPT2 = HfFixtures.dir("gpt2-tokenizer").resolve("tokenizer.json");

    static ObjectNode splitThenBytes(String regex) {
        ObjectNode sequence = HfFixtures.JSON.createObjectNode().put("type", "Sequence");
        var steps = sequence.putArray("pretokenizers");
        steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false).putObject("pattern").put("Regex", regex);
        steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);
        return sequence;
    }

    static HfTokenizer gpt2With(JsonNode preTokenizer, JsonNode normalizer) throws Exception {
        ObjectNode root = (ObjectNode) HfFixtures.JSON.readTree(GPT2.toFile());
        root.set("pre_tokenizer", preTokenizer);
        root.set("normalizer", normalizer);
        return HfTokenizer.fromJson(root, GPT2, TokenizerConfig.read(Path.of("no-such-dir")));
    }

    @Test
    void llama3RegexPiecesGoThroughBpeWhole() throws Exception {
        String text = "I'M 12345 go!\n\n";
        List<String> pieces = PreTokenizer.parse(splitThenBytes(LLAMA3_REGEX), new Spec(GPT2))
                .split(List.of(new PreTokenizer.Piece(text, true))).stream().map(PreTokenizer.Piece::text).toList();
        // Case-insensitive contractions, digits in threes, punctuation with its newlines.
        assertThat(pieces).containsExactly("I", "'M", "Ġ", "123", "45", "Ġgo", "!ĊĊ");
        HfTokenizer llama3 = gpt2With(splitThenBytes(LLAMA3_REGEX), null);
        HfTokenizer wholeWords = gpt2With(HfFixtures.JSON.readTree("{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": false}"), null);
        TokenIds expected = new TokenIds();
        for (String piece : List.of("I", "'M", " ", "123", "45", " go", "!\n\n")) expected.addAll(wholeWords.encode(piece));
        assertThat(llama3.encode(text)).containsExactly(expected.toArray());
        HfTokenizer gpt2 = HfTokenizer.read(GPT2, TokenizerConfig.read(Path.of("no-such-dir")));
        assertThat(llama3.encode(text)).isNotEqualTo(gpt2.encode(text));
        assertThat(llama3.decode(llama3.encode(text))).isEqualTo(text);
    }

    @Test
    void qwen2NormalizesToNfcAndSplitsDigitsOneByOne() throws Exception {
        HfTokenizer qwen2 = gpt2With(splitThenBytes(QWEN2_REGEX), HfFixtures.JSON.readTree("{\"type\": \"NFC\"}"));
        // "café" as GPT-2 tokenizes it (fixture case): c, af, Ã©; then the space, 1 and 2 apart.
        assertThat(qwen2.encode("cafe\u0301 12")).containsExactly(66, 1878, 2634, 220, 16, 17);
    }
}
