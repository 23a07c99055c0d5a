package org.seemore.generate.hf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.Tokenizers;
import org.seemore.tensor.Rng;

/** Streaming detokenization: characters split across byte-level tokens come out whole, and the pieces add up to the decoded reply. */
class TextStreamTest {
    @TempDir
    static Path tmp;
    static Tokenizer tokenizer;

    @BeforeAll
    static void build() {
        tokenizer = Tokenizers.load(TinyHfModels.qwen2Chatml(tmp.resolve("model")));
    }

    /** The byte-level token of one byte (ids 3..258 in the tiny tokenizer). */
    private static int byteToken(int b) {
        return 3 + (b & 0xFF);
    }

    @Test
    void aCharacterSplitOverTokensIsGivenOutWhenComplete() {
        TextStream stream = new TextStream(tokenizer);
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // three bytes, three tokens

        assertThat(stream.push(byteToken('a'))).isEqualTo("a");
        assertThat(stream.push(byteToken(euro[0]))).isEmpty();
        assertThat(stream.push(byteToken(euro[1]))).isEmpty();
        assertThat(stream.push(byteToken(euro[2]))).isEqualTo("€");
        assertThat(stream.finish()).isEmpty();
    }

    @Test
    void specialTokensAndIdsBeyondTheVocabularyHaveNoText() {
        TextStream stream = new TextStream(tokenizer);

        assertThat(stream.push(TinyHfModels.IM_START)).isEmpty();
        assertThat(stream.push(byteToken('b'))).isEqualTo("b");
        assertThat(stream.push(tokenizer.vocabSize() + 3)).isEmpty();
        assertThat(stream.text()).isEqualTo("b");
    }

    @Test
    void thePiecesAddUpToTheDecodedReply() {
        Rng rng = new Rng(42);
        for (int trial = 0; trial < 50; trial++) {
            TextStream stream = new TextStream(tokenizer);
            StringBuilder pieces = new StringBuilder();
            int[] ids = new int[1 + rng.nextInt(30)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = rng.nextInt(512);
                pieces.append(stream.push(ids[i]));
            }
            pieces.append(stream.finish());
            assertThat(pieces.toString()).isEqualTo(stream.text());
            int[] known = java.util.Arrays.stream(ids).filter(id -> id < tokenizer.vocabSize()).toArray();
            assertThat(stream.text()).isEqualTo(tokenizer.decode(known));
        }
    }
}
