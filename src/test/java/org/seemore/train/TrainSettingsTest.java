package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Named construction of {@link TrainSettings}, and its defaults. */
class TrainSettingsTest {

    @Test
    void eachBuilderMethodSetsItsOwnSetting() {
        TrainSettings s = TrainSettings.builder().steps(11).batchSize(12).gradAccumulation(13).lr(0.014).minLrRatio(0.15)
                .warmupSteps(16).weightDecay(0.17).clipNorm(1.8).evalEvery(19).evalLimit(20).checkpointEvery(21).seed(22)
                .stage(Stage.PROJECTOR).build();
        assertThat(s).isEqualTo(new TrainSettings(11, 12, 13, 0.014, 0.15, 16, 0.17, 1.8, 19, 20, 21, 22, Stage.PROJECTOR));
        assertThat(s.toBuilder().build()).isEqualTo(s);
        assertThat(s.toBuilder().steps(5).build()).isEqualTo(new TrainSettings(5, 12, 13, 0.014, 0.15, 16, 0.17, 1.8, 19, 20, 21, 22, Stage.PROJECTOR));
    }

    @Test
    void theDefaultsAreTheBuildersStartingValues() {
        // seemore train's defaults (TrainCommandDefaultsTest pins that the CLI's are these)
        assertThat(TrainSettings.defaults()).isEqualTo(TrainSettings.builder().build())
                .isEqualTo(new TrainSettings(1000, 32, 1, 1e-3, 0.1, 50, 0.1, 1.0, 250, 200, 250, 1337, Stage.FULL));
    }

    @Test
    void aBadValueNamesItsFlag() {
        assertThatThrownBy(() -> TrainSettings.builder().batchSize(0).build()).hasMessageContaining("--batch-size");
        assertThatThrownBy(() -> TrainSettings.builder().checkpointEvery(-1).build()).hasMessageContaining("--checkpoint-every");
        assertThatThrownBy(() -> TrainSettings.builder().stage(null).build()).hasMessageContaining("--stage");
    }
}
