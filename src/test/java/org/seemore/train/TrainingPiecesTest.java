package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.seemore.data.Example;
import org.seemore.data.text.CharTokenizer;
import org.seemore.tensor.NnOps;

class TrainingPiecesTest {

    @Test
    void warmupThenCosineDecay() {
        LrSchedule s = LrSchedule.warmupCosine(1e-3, 1e-4, 10, 110);
        assertThat(s.at(0)).isCloseTo(1e-3 / 11, Offset.offset(1e-12));
        assertThat(s.at(9)).isCloseTo(1e-3 * 10 / 11, Offset.offset(1e-12));
        assertThat(s.at(10)).isCloseTo(1e-3, Offset.offset(1e-12));
        assertThat(s.at(60)).isCloseTo(1e-4 + 0.5 * 9e-4, Offset.offset(1e-12)); // half way through the decay
        assertThat(s.at(110)).isCloseTo(1e-4, Offset.offset(1e-12));
        assertThat(s.at(500)).isEqualTo(1e-4);
        for (long i = 11; i < 110; i++) assertThat(s.at(i)).isLessThanOrEqualTo(s.at(i - 1));
        assertThatThrownBy(() -> LrSchedule.warmupCosine(1e-3, 1e-2, 0, 10)).hasMessageContaining("floor");
    }

    @Test
    void aNonPositiveClipIsRejectedWithoutNamingAFlagThatDoesNotExist() {
        assertThatThrownBy(() -> new TrainSettings(10, 4, 1, 1e-3, 0.1, 2, 0.1, 0.0, 0, 4, 0, 5, Stage.FULL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the global gradient-norm clip must be positive, got 0.0");
    }

    @Test
    void onlyAnswerTokensAndTheEndTokenAreScored() {
        CharTokenizer tok = CharTokenizer.build(List.of("abc?"));
        SequenceEncoder enc = new SequenceEncoder(tok, 100);
        SequenceEncoder.Encoded e = enc.encode(new Example("t:1", null, "ab?", "cab"));
        // input: <bos> a b ? c a b ; targets: the prompt's continuation is not scored
        assertThat(e.input()).hasSize(7);
        assertThat(e.input()[0]).isEqualTo(CharTokenizer.BOS);
        int ignore = NnOps.IGNORE_INDEX;
        assertThat(e.target()).containsExactly(ignore, ignore, ignore, tok.encode("c")[0], tok.encode("a")[0], tok.encode("b")[0], CharTokenizer.EOS);
        SequenceEncoder.Encoded caption = enc.encode(Example.caption("t:2", null, "ab"));
        assertThat(caption.target()).containsExactly(tok.encode("a")[0], tok.encode("b")[0], CharTokenizer.EOS);
        SequenceEncoder.Encoded cut = new SequenceEncoder(tok, 3).encode(Example.caption("t:3", null, "abcabc"));
        assertThat(cut.input()).hasSize(3);
    }

    @Test
    void truncatesSaysExactlyWhenEncodingCutsTheEndToken() {
        CharTokenizer tok = CharTokenizer.build(List.of("abc?"));
        int positions = 6;
        SequenceEncoder enc = new SequenceEncoder(tok, positions);
        List<Example> examples = new java.util.ArrayList<>();
        for (int length = 1; length <= 6; length++) {
            examples.add(new Example("t:" + length, null, "a?", "abcabc".substring(0, length)));
            examples.add(Example.caption("c:" + length, null, "cxyabc".substring(0, length)));   // unknown characters count one each
        }
        for (Example e : examples) {
            int[] target = enc.encode(e).target();
            boolean endTokenScored = target[target.length - 1] == CharTokenizer.EOS;
            assertThat(SequenceEncoder.truncates(e, positions)).as(e.origin()).isEqualTo(!endTokenScored);
        }
        // <bos> + "a?" + 3 answer characters fill the 6 positions, so answers of 4, 5 and 6 are cut; captions of 6
        assertThat(SequenceEncoder.countTruncated(examples, positions)).isEqualTo(4);
    }

    @Test
    void paddingIsIgnoredByTheLoss() {
        CharTokenizer tok = CharTokenizer.build(List.of("abc"));
        SequenceEncoder enc = new SequenceEncoder(tok, 100);
        Batch b = Batch.assemble(List.of(enc.encode(Example.caption("1", null, "a")), enc.encode(Example.caption("2", null, "abc"))), null, 0);
        assertThat(b.length()).isEqualTo(4);
        assertThat(b.tokens()).containsExactly(1, tok.encode("a")[0], 0, 0, 1, tok.encode("a")[0], tok.encode("b")[0], tok.encode("c")[0]);
        assertThat(b.targets()[2]).isEqualTo(NnOps.IGNORE_INDEX);
        assertThat(b.targets()[3]).isEqualTo(NnOps.IGNORE_INDEX);
        assertThat(b.countedTokens()).isEqualTo(2 + 4);
    }

    @Test
    void dataOrderIsASeededPermutationPerEpoch() {
        int[] a = BatchStream.permutation(50, 7, 0), b = BatchStream.permutation(50, 7, 0), c = BatchStream.permutation(50, 7, 1);
        assertThat(a).containsExactly(b).isNotEqualTo(c);
        assertThat(java.util.Arrays.stream(a).sorted().toArray()).containsExactly(java.util.stream.IntStream.range(0, 50).toArray());
    }

    @Test
    void stagesFreezeTheRightComponents() {
        assertThat(Stage.LM.trains("decoder.blocks.0.ln1.weight")).isTrue();
        assertThat(Stage.LM.trains("projector.fc1.weight")).isFalse();
        assertThat(Stage.PROJECTOR.trains("projector.fc1.weight")).isTrue();
        assertThat(Stage.PROJECTOR.trains("vision.cls_token")).isFalse();
        assertThat(Stage.PROJECTOR.trains("decoder.lm_head.bias")).isFalse();
        assertThat(Stage.FINETUNE.trains("decoder.lm_head.bias")).isTrue();
        assertThat(Stage.FINETUNE.trains("vision.cls_token")).isFalse();
        assertThat(Stage.FULL.trains("vision.cls_token")).isTrue();
        assertThatThrownBy(() -> Stage.parse("warmup")).hasMessageContaining("lm, projector, finetune or full");
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(Evaluator.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(Evaluator.editDistance("", "abc")).isEqualTo(3);
        assertThat(Evaluator.editDistance("same", "same")).isZero();
    }
}
