package org.seemore.data.text.sentencepiece;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.seemore.data.text.TokenizerConfig;

/**
 * SentencePiece options the Llama fixture does not use: no byte fallback (a run of unknown characters
 * becomes one {@code <unk>}), whitespace squeezing, user-defined pieces kept whole, and the decoder's
 * unknown surface and invalid bytes. The model file is written here, field by field.
 */
class SentencePieceOptionsTest {

    /** A ModelProto with these pieces ({text, score, type number}), BPE, and the given options. */
    static byte[] model(Object[][] pieces, boolean byteFallback, boolean removeExtraWhitespaces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object[] piece : pieces) {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            byte[] text = ((String) piece[0]).getBytes(StandardCharsets.UTF_8);
            message.write(0x0A);
            message.write(text.length);
            message.writeBytes(text);
            int bits = Float.floatToIntBits(((Number) piece[1]).floatValue());
            message.write(0x15);
            for (int i = 0; i < 4; i++) message.write(bits >>> (8 * i));
            message.write(0x18);
            message.write((Integer) piece[2]);
            out.write(0x0A);
            out.write(message.size());
            out.writeBytes(message.toByteArray());
        }
        // trainer_spec: model_type 2 (BPE), byte_fallback (field 35 = key 0x98 0x02).
        out.writeBytes(new byte[] {0x12, 0x05, 0x18, 0x02, (byte) 0x98, 0x02, (byte) (byteFallback ? 1 : 0)});
        // normalizer_spec: name "identity", add_dummy_prefix true, remove_extra_whitespaces.
        out.writeBytes(new byte[] {0x1A, 0x0E, 0x0A, 0x08});
        out.writeBytes("identity".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {0x18, 0x01, 0x20, (byte) (removeExtraWhitespaces ? 1 : 0)});
        return out.toByteArray();
    }

    static final Object[][] PIECES = {
        {"<unk>", 0, 2}, {"<s>", 0, 3}, {"</s>", 0, 3}, {"\u2581", -3, 1}, {"a", -4, 1}, {"b", -5, 1},
        {"ab", -1, 1}, {"\u2581ab", -0.5, 1}, {"<sep>", 0, 4}, {"<0xE5>", 0, 6}, {"<0x8F>", 0, 6},
    };

    @Test
    void unknownRunsBecomeOneUnkAndUserDefinedPiecesStayWhole() {
        SentencePieceModel model = SentencePieceModel.parse(model(PIECES, false, true));
        assertThat(model.removeExtraWhitespaces()).isTrue();
        assertThat(model.byteFallback()).isFalse();
        assertThat(model.pieces().get(8).type()).isEqualTo(SentencePieceModel.Type.USER_DEFINED);
        SentencePieceTokenizer tokenizer = new SentencePieceTokenizer(model, TokenizerConfig.read(java.nio.file.Path.of("no-such-dir")));
        // "  ab   xy<sep>b " squeezed to "ab xy<sep>b", then "▁ab▁xy<sep>b": ab merges first (score -1), then ▁ab;
        // x and y are no pieces and, without byte fallback, make one <unk>; <sep> is never split.
        assertThat(tokenizer.encode("  ab   xy<sep>b ")).containsExactly(7, 3, 0, 8, 5);
        assertThat(tokenizer.encode("")).isEmpty();
        assertThat(tokenizer.encode("   ")).isEmpty();
    }

    @Test
    void decoderWritesTheUnknownSurfaceAndReplacesInvalidBytes() {
        SentencePieceModel model = SentencePieceModel.parse(model(PIECES, true, false));
        SentencePieceBpe pieces = new SentencePieceBpe(model);
        SentencePieceDecoding decoding = new SentencePieceDecoding(model, pieces, Set.of("<unk>", "<s>", "</s>"), Set.of(), true, true, true);
        assertThat(decoding.sentencePieceDecode(List.of("\u2581ab", "<unk>", "\u2581", "b"))).isEqualTo("ab \u2047  b");
        // <0xE5><0x8F> is the start of a three-byte character cut short: one U+FFFD per byte.
        assertThat(decoding.sentencePieceDecode(List.of("<0xE5>", "<0x8F>", "a"))).isEqualTo("\uFFFD\uFFFDa");
        // A string that is no piece is copied as it is, ▁ included.
        assertThat(decoding.sentencePieceDecode(List.of("\u2581x\u2581"))).isEqualTo("\u2581x\u2581");
        assertThat(decoding.sentencePieceDecode(List.of("<s>", "\u2581ab", "</s>"))).isEqualTo("ab");
    }
}
