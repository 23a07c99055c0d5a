package org.seemore.data.text.hf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.text.HfFixtures;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.Tokenizers;
import org.seemore.parity.hf.CaseFile;
import org.seemore.parity.hf.TokenizerFolderParity;

/**
 * OpenAI GPT-2's real vocabulary against transformers' slow GPT2Tokenizer (fixtures/hf/gpt2-tokenizer,
 * 240 cases): every case's ids, tokens and decoded text exactly, through tokenizer.json with merges in
 * both serializations and through vocab.json + merges.txt.
 */
class Gpt2FixtureTest {
    static final Path DIR = HfFixtures.dir("gpt2-tokenizer");
    static final List<JsonNode> CASES = HfFixtures.lines(DIR.resolve("tokenizer-cases.jsonl"));

    @Test
    void tokenizerJsonMatchesEveryCase() {
        Tokenizer tokenizer = Tokenizers.load(DIR);
        assertThat(tokenizer).isInstanceOf(HfTokenizer.class);
        assertThat(CASES).hasSize(240);
        assertEveryCase(tokenizer);
    }

    @Test
    void mergesAsPairsGiveTheSameTokenizer(@TempDir Path dir) throws IOException {
        ObjectNode root = (ObjectNode) HfFixtures.JSON.readTree(DIR.resolve("tokenizer.json").toFile());
        ObjectNode model = (ObjectNode) root.get("model");
        ArrayNode pairs = HfFixtures.JSON.createArrayNode();
        for (JsonNode merge : model.get("merges")) {
            String[] parts = merge.textValue().split(" ");
            pairs.addArray().add(parts[0]).add(parts[1]);
        }
        model.set("merges", pairs);
        HfFixtures.JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);
        Files.copy(DIR.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        assertThat(Files.readString(dir.resolve("tokenizer.json"))).contains("[\"Ġ\",\"t\"]");
        assertEveryCase(Tokenizers.load(dir));
    }

    @Test
    void vocabAndMergesFilesMatchEveryCase(@TempDir Path dir) throws IOException {
        for (String file : List.of("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")) {
            Files.copy(DIR.resolve(file), dir.resolve(file));
        }
        assertEveryCase(Tokenizers.load(dir));
    }

    @Test
    void specialTokensComeFromTheConfig() {
        Tokenizer tokenizer = Tokenizers.load(DIR);
        assertThat(tokenizer.vocabSize()).isEqualTo(50257);
        assertThat(tokenizer.bosId()).hasValue(50256);
        assertThat(tokenizer.eosId()).hasValue(50256);
        assertThat(tokenizer.isSpecial(50256)).isTrue();
        assertThat(tokenizer.isSpecial(995)).isFalse();
        assertThat(tokenizer.id("Ġworld")).hasValue(995);
        // GPT-2 adds nothing around a sequence, and decoding for display drops <|endoftext|>.
        assertThat(tokenizer.encode("Hello world", true)).containsExactly(15496, 995);
        assertThat(tokenizer.decode(new int[] {15496, 50256, 10603})).isEqualTo("HelloWorld");
    }

    /** Every case through the check {@code seemore parity} runs on a tokenizer folder. */
    static void assertEveryCase(Tokenizer tokenizer) {
        Map<String, List<String>> failures = TokenizerFolderParity.check(tokenizer, CaseFile.read(DIR.resolve("tokenizer-cases.jsonl")), true);
        assertThat(failures.keySet()).containsExactly("ids", "tokens", "decoded");
        failures.forEach((field, wrong) -> assertThat(wrong).as(field).isEmpty());
    }
}
