package org.seemore.data.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.text.sentencepiece.SentencePieceTokenizer;

/** Picking the tokenizer of a directory, and one-line errors for files it cannot use. */
class TokenizersTest {
    static final Path GPT2 = HfFixtures.dir("gpt2-tokenizer");
    static final Path SP = HfFixtures.dir("sp-tokenizer");

    /** A small valid tokenizer.json to break one part of at a time. */
    static ObjectNode tinyTokenizerJson() throws Exception {
        return (ObjectNode) HfFixtures.JSON.readTree("""
                {"version": "1.0", "added_tokens": [{"id": 3, "content": "<s>", "special": true, "normalized": false}],
                 "normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
                 "post_processor": null, "decoder": {"type": "ByteLevel"},
                 "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "<s>": 3}, "merges": ["a b"]}}""");
    }

    static Path write(Path dir, ObjectNode root) throws Exception {
        HfFixtures.JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);
        return dir;
    }

    static void assertOneLineError(Path dir, String... parts) {
        assertThatThrownBy(() -> Tokenizers.load(dir)).isInstanceOf(UserException.class)
                .hasMessageContainingAll(parts).hasMessageNotContaining("\n");
    }

    @Test
    void picksTheImplementationByFile(@TempDir Path dir) throws Exception {
        assertThat(Tokenizers.load(GPT2)).isInstanceOf(org.seemore.data.text.hf.HfTokenizer.class);
        Path spOnly = Files.createDirectory(dir.resolve("sp"));
        Files.copy(SP.resolve("tokenizer.model"), spOnly.resolve("tokenizer.model"));
        Tokenizer sp = Tokenizers.load(spOnly);
        assertThat(sp).isInstanceOf(SentencePieceTokenizer.class);
        // Without tokenizer_config.json: BOS from the model, added first by default as LlamaTokenizer does.
        assertThat(sp.encode("Hello", true)).containsExactly(1, 677, 920, 355, 922);
        Path tiny = write(Files.createDirectory(dir.resolve("tiny")), tinyTokenizerJson());
        Tokenizer tokenizer = Tokenizers.load(tiny);
        assertThat(tokenizer.encode("ab<s>ba")).containsExactly(2, 3, 1, 0);
        assertThat(tokenizer.decode(new int[] {2, 3, 1}, false)).isEqualTo("ab<s>b");
    }

    @Test
    void loadsSeemoresOwnCharacterTokenizer(@TempDir Path dir) throws Exception {
        CharTokenizer chars = CharTokenizer.build(List.of("hello"));
        chars.save(dir.resolve("tokenizer.json"));
        assertThat(Tokenizers.load(dir)).isEqualTo(chars);
    }

    @Test
    void unsupportedComponentsNameTheTypeAndTheSupportedOnes(@TempDir Path dir) throws Exception {
        ObjectNode root = tinyTokenizerJson();
        ((ObjectNode) root.get("model")).put("type", "Unigram");
        assertOneLineError(write(dir, root), "tokenizer.json", "model type \"Unigram\" is not supported (supported: BPE)");
        root = tinyTokenizerJson();
        root.putObject("normalizer").put("type", "Precompiled");
        assertOneLineError(write(dir, root), "normalizer type \"Precompiled\" is not supported (supported: Sequence, NFC,");
        root = tinyTokenizerJson();
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        assertOneLineError(write(dir, root), "pre_tokenizer type \"BertPreTokenizer\" is not supported (supported: ByteLevel, Split,");
        root = tinyTokenizerJson();
        root.putObject("decoder").put("type", "WordPiece");
        assertOneLineError(write(dir, root), "decoder type \"WordPiece\" is not supported (supported: ByteLevel,");
        root = tinyTokenizerJson();
        root.putObject("post_processor").put("type", "Cyrillic");
        assertOneLineError(write(dir, root), "post_processor type \"Cyrillic\" is not supported (supported: TemplateProcessing,");
    }

    @Test
    void malformedFilesNameTheFile(@TempDir Path dir) throws Exception {
        assertOneLineError(dir, "has no tokenizer: expected tokenizer.json, tokenizer.model, or vocab.json with merges.txt");
        assertOneLineError(dir.resolve("missing"), "tokenizer directory not found");
        Files.writeString(dir.resolve("tokenizer.json"), "{\n \"model\": {,\n}");
        assertOneLineError(dir, "tokenizer.json is not valid JSON (line 2)");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
        assertOneLineError(dir, "neither a Hugging Face tokenizer.json");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"format\": \"something-else\"}");
        assertOneLineError(dir, "unknown tokenizer format \"something-else\"");
        ObjectNode root = tinyTokenizerJson();
        ((ObjectNode) root.get("model")).putArray("merges").add("a b c");
        assertOneLineError(write(dir, root), "merge 0 is \"a b c\"");
        root = tinyTokenizerJson();
        ((ObjectNode) root.get("model")).putArray("merges").add("a x");
        assertOneLineError(write(dir, root), "merge 0 (a x) uses \"x\", which is not in the vocabulary");
        root = tinyTokenizerJson();
        root.putObject("pre_tokenizer").put("type", "Split").put("behavior", "Isolated").putObject("pattern").put("Regex", "(unclosed");
        assertOneLineError(write(dir, root), "regex (unclosed does not compile");
        root = tinyTokenizerJson();
        root.putObject("pre_tokenizer").put("type", "Split").put("behavior", "Sideways").putObject("pattern").put("String", "-");
        assertOneLineError(write(dir, root), "behavior \"Sideways\" is not one of");
        Files.delete(dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": 5}");
        Files.copy(SP.resolve("tokenizer.model"), dir.resolve("tokenizer.model"));
        assertOneLineError(dir, "tokenizer_config.json: bos_token is 5, neither a string nor an object with \"content\"");
    }

    @Test
    void sentencePieceFilesAreChecked(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("tokenizer.model"), new byte[] {0x0A, (byte) 0xFF, 0x01, 0x02});
        assertOneLineError(dir, "tokenizer.model is not a valid SentencePiece model: field length");
        Files.write(dir.resolve("tokenizer.model"), unigramModel());
        assertOneLineError(dir, "tokenizer.model: SentencePiece model type UNIGRAM is not supported (supported: BPE)");
    }

    /** A minimal ModelProto: pieces {@code <unk>}, {@code <s>}, {@code </s>}, {@code ▁a}, trainer model_type 1 (unigram). */
    static byte[] unigramModel() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object[] piece : new Object[][] {{"<unk>", 2}, {"<s>", 3}, {"</s>", 3}, {"\u2581a", 1}}) {
            byte[] text = ((String) piece[0]).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            message.write(0x0A);
            message.write(text.length);
            message.writeBytes(text);
            message.write(0x15);
            message.writeBytes(new byte[] {0, 0, 0, 0});
            message.write(0x18);
            message.write((Integer) piece[1]);
            out.write(0x0A);
            out.write(message.size());
            out.writeBytes(message.toByteArray());
        }
        out.writeBytes(new byte[] {0x12, 0x02, 0x18, 0x01});
        return out.toByteArray();
    }
}
