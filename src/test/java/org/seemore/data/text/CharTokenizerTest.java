package org.seemore.data.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.UserException;
import org.seemore.data.Example;

class CharTokenizerTest {
    @TempDir
    Path dir;

    private static final String TEXT = "Hello, wörld!\n猫 🐈 cat\t\"quoted\"";

    @Test
    void specialsComeFirstThenDistinctCodePointsInOrder() {
        CharTokenizer tokenizer = CharTokenizer.build(List.of("hello", "abc"));

        assertThat(tokenizer.vocabSize()).isEqualTo(4 + 7);
        assertThat(List.of(CharTokenizer.PAD, CharTokenizer.BOS, CharTokenizer.EOS, CharTokenizer.UNK))
                .containsExactly(0, 1, 2, 3);
        assertThat(tokenizer.symbol(0)).isEqualTo("<pad>");
        assertThat(tokenizer.symbol(3)).isEqualTo("<unk>");
        assertThat(List.of(4, 5, 6, 7, 8, 9, 10)).extracting(tokenizer::symbol)
                .containsExactly("a", "b", "c", "e", "h", "l", "o");
        assertThat(tokenizer.encode("hello")).containsExactly(8, 7, 9, 9, 10);
    }

    @Test
    void roundTripsAnyUnicodeTextByCodePoint() {
        CharTokenizer tokenizer = CharTokenizer.build(List.of(TEXT));

        int[] ids = tokenizer.encode(TEXT);

        assertThat(ids).hasSize(TEXT.codePointCount(0, TEXT.length()));
        assertThat(tokenizer.decode(ids)).isEqualTo(TEXT);
        assertThat(tokenizer.encode("🐈")).hasSize(1).doesNotContain(CharTokenizer.UNK);
        assertThat(tokenizer.unknownCount()).isZero();
    }

    @Test
    void unknownCharactersBecomeUnkAndAreCounted() {
        CharTokenizer tokenizer = CharTokenizer.build(List.of("abc"));

        int[] ids = tokenizer.encode("abXc🐉");
        tokenizer.encode("Z");

        assertThat(ids).containsExactly(4, 5, CharTokenizer.UNK, 6, CharTokenizer.UNK);
        assertThat(tokenizer.unknownCount()).isEqualTo(3);
        assertThat(tokenizer.decode(ids)).isEqualTo("abc");
    }

    @Test
    void decodeSkipsSpecialTokens() {
        CharTokenizer tokenizer = CharTokenizer.build(List.of("hi"));
        int[] ids = {CharTokenizer.BOS, 4, CharTokenizer.UNK, 5, CharTokenizer.EOS, CharTokenizer.PAD, CharTokenizer.PAD};

        assertThat(tokenizer.decode(ids)).isEqualTo("hi");
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        CharTokenizer tokenizer = CharTokenizer.build(List.of("hi"));

        assertThatThrownBy(() -> tokenizer.decode(new int[] {4, 6})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id 6 is outside the vocabulary [0, 6)");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {-1})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unpairedSurrogatesStayOutOfTheVocabulary() {
        CharTokenizer tokenizer = CharTokenizer.build(List.of("a\uD83Db"));

        assertThat(tokenizer.vocabSize()).isEqualTo(6);
        assertThat(tokenizer.encode("a\uD83Db")).containsExactly(4, CharTokenizer.UNK, 5);
    }

    @Test
    void buildsFromExamplePromptsAndAnswers() {
        CharTokenizer tokenizer = CharTokenizer.forExamples(List.of(new Example("mem:1", null, "q?", "ans")));

        assertThat(tokenizer.decode(tokenizer.encode("q? nas"))).isEqualTo("q?nas");
        assertThat(tokenizer.unknownCount()).isEqualTo(1);
    }

    @Test
    void rejectsTextWithNoCharacters() {
        assertThatThrownBy(() -> CharTokenizer.build(List.of("", ""))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void saveThenLoadGivesTheSameTokenizer() throws IOException {
        CharTokenizer tokenizer = CharTokenizer.build(List.of(TEXT, "\u0000\u001F\u007F\\"));
        Path file = dir.resolve("tokenizer.json");

        tokenizer.save(file);
        CharTokenizer loaded = CharTokenizer.load(file);

        assertThat(loaded).isEqualTo(tokenizer);
        assertThat(loaded.vocabSize()).isEqualTo(tokenizer.vocabSize());
        assertThat(loaded.encode(TEXT)).isEqualTo(tokenizer.encode(TEXT));
        assertThat(loaded.decode(loaded.encode(TEXT))).isEqualTo(TEXT);
        assertThat(Files.readString(file)).contains("\"format\" : \"seemore-char-tokenizer\"", "\"symbols\"", "\"猫\"", "\"\\uD83D\\uDC08\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "{not json",
            "[]",
            "{\"format\": \"other\", \"version\": 1, \"specials\": [\"<pad>\", \"<bos>\", \"<eos>\", \"<unk>\"], \"symbols\": [\"a\"]}",
            "{\"format\": \"seemore-char-tokenizer\", \"version\": 2, \"specials\": [\"<pad>\", \"<bos>\", \"<eos>\", \"<unk>\"], \"symbols\": [\"a\"]}",
            "{\"format\": \"seemore-char-tokenizer\", \"version\": 1, \"specials\": [\"<pad>\"], \"symbols\": [\"a\"]}",
            "{\"format\": \"seemore-char-tokenizer\", \"version\": 1, \"specials\": [\"<pad>\", \"<bos>\", \"<eos>\", \"<unk>\"]}",
            "{\"format\": \"seemore-char-tokenizer\", \"version\": 1, \"specials\": [\"<pad>\", \"<bos>\", \"<eos>\", \"<unk>\"], \"symbols\": [\"ab\"]}",
            "{\"format\": \"seemore-char-tokenizer\", \"version\": 1, \"specials\": [\"<pad>\", \"<bos>\", \"<eos>\", \"<unk>\"], \"symbols\": [\"b\", \"a\"]}",
            "{\"format\": \"seemore-char-tokenizer\", \"version\": 1, \"specials\": [\"<pad>\", \"<bos>\", \"<eos>\", \"<unk>\"], \"symbols\": [\"a\", \"a\"]}",
            "{\"format\": \"seemore-char-tokenizer\", \"version\": 1, \"specials\": [\"<pad>\", \"<bos>\", \"<eos>\", \"<unk>\"], \"symbols\": [7]}",
    })
    void aCorruptFileIsAUserErrorNamingIt(String content) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, content);

        assertThatThrownBy(() -> CharTokenizer.load(file))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("tokenizer file " + file + " is corrupt: ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aMissingFileIsAUserErrorNamingIt() {
        Path file = dir.resolve("absent.json");

        assertThatThrownBy(() -> CharTokenizer.load(file))
                .isInstanceOf(UserException.class)
                .hasMessage("tokenizer file not found: " + file);
    }

    @Test
    void implementsTheCommonTokenizerInterface() {
        Tokenizer tokenizer = CharTokenizer.build(List.of("hello"));
        assertThat(tokenizer.encode("he", true)).containsExactly(CharTokenizer.BOS, 5, 4);
        assertThat(tokenizer.encode("he", false)).containsExactly(5, 4);
        int[] ids = {CharTokenizer.BOS, 5, 4, CharTokenizer.EOS, CharTokenizer.PAD};
        assertThat(tokenizer.decode(ids)).isEqualTo("he");
        assertThat(tokenizer.decode(ids, false)).isEqualTo("<bos>he<eos><pad>");
        assertThat(tokenizer.tokens(new int[] {5, 3})).containsExactly("h", "<unk>");
        assertThat(tokenizer.id("h")).hasValue(5);
        assertThat(tokenizer.id("<eos>")).hasValue(CharTokenizer.EOS);
        assertThat(tokenizer.id("z")).isEmpty();
        assertThat(tokenizer.id("he")).isEmpty();
        assertThat(tokenizer.isSpecial(CharTokenizer.UNK)).isTrue();
        assertThat(tokenizer.isSpecial(5)).isFalse();
        assertThat(List.of(tokenizer.bosId(), tokenizer.eosId(), tokenizer.padId(), tokenizer.unkId()))
                .containsExactly(java.util.OptionalInt.of(1), java.util.OptionalInt.of(2), java.util.OptionalInt.of(0), java.util.OptionalInt.of(3));
        assertThatThrownBy(() -> tokenizer.isSpecial(99)).isInstanceOf(IllegalArgumentException.class);
    }
}
