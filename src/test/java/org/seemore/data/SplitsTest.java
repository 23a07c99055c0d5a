package org.seemore.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
    private static List<Example> examples(int n) {
        return IntStream.range(0, n).mapToObj(i -> Example.caption("mem:" + (i + 1), null, "caption " + i)).toList();
    }

    @Test
    void holdsOutFivePercentDisjointlyAndInOrder() {
        List<Example> all = examples(100);

        Splits.Split split = Splits.holdOut(all, 0.05, 42);

        assertThat(split.validation()).hasSize(5);
        assertThat(split.train()).hasSize(95);
        assertThat(split.train()).doesNotContainAnyElementsOf(split.validation());
        List<Example> union = new ArrayList<>(split.train());
        union.addAll(split.validation());
        assertThat(union).containsExactlyInAnyOrderElementsOf(all);
        assertThat(split.train()).isSortedAccordingTo((a, b) -> Integer.compare(all.indexOf(a), all.indexOf(b)));
        assertThat(split.validation()).isSortedAccordingTo((a, b) -> Integer.compare(all.indexOf(a), all.indexOf(b)));
    }

    @Test
    void theSeedDecidesTheSplit() {
        List<Example> all = examples(200);

        assertThat(Splits.holdOut(all, 0.05, 1)).isEqualTo(Splits.holdOut(all, 0.05, 1));
        assertThat(Splits.holdOut(all, 0.05, 1).validation()).isNotEqualTo(Splits.holdOut(all, 0.05, 2).validation());
    }

    @Test
    void smallListsKeepBothSidesNonEmpty() {
        assertThat(Splits.holdOut(examples(3), 0.05, 0).validation()).hasSize(1);
        assertThat(Splits.holdOut(examples(2), 0.9, 0).train()).hasSize(1);
        assertThat(Splits.holdOut(examples(1), 0.5, 0).validation()).isEmpty();
        assertThat(Splits.holdOut(examples(10), 0, 0).train()).hasSize(10);
    }

    @Test
    void rejectsFractionsOutsideZeroToOne() {
        assertThatThrownBy(() -> Splits.holdOut(examples(10), 1.0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> Splits.holdOut(examples(10), -0.1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Splits.holdOut(examples(10), Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDefaultValidationHoldsOutNothingBelowTheMinimumAndSaysSo() {
        Splits.Split small = Splits.defaultValidation(examples(Splits.MIN_RECORDS_TO_HOLD_OUT - 1), 42);
        assertThat(small.validation()).isEmpty();
        assertThat(small.train()).hasSize(Splits.MIN_RECORDS_TO_HOLD_OUT - 1);
        assertThat(Splits.describeDefault(small)).isEqualTo("validation: none: 99 records are fewer than the 100 needed to"
                + " hold out 5%; all 99 are trained on (give --val FILE to validate)");

        Splits.Split enough = Splits.defaultValidation(examples(Splits.MIN_RECORDS_TO_HOLD_OUT), 42);
        assertThat(enough).isEqualTo(Splits.holdOut(examples(Splits.MIN_RECORDS_TO_HOLD_OUT), 0.05, 42));
        assertThat(Splits.describeDefault(enough)).isEqualTo("validation: 5% of the data held out = 5 records; train on 95");
    }
}
