package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.seemore.train.Stage;
import org.seemore.train.TrainSettings;
import picocli.CommandLine;

/** {@code seemore train}'s flags take their defaults from {@link TrainSettings#defaults()}: one source for the CLI and the code. */
class TrainCommandDefaultsTest {

    private static TrainCommand parsed(String... args) {
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void theEffectiveDefaultsOfTheFlagsAreTrainSettingsDefaults() {
        assertThat(parsed("--data", "synthetic:shapes", "--out", "run").settings()).isEqualTo(TrainSettings.defaults());
    }

    @Test
    void aGivenFlagReplacesOnlyItsOwnDefault() {
        TrainSettings s = parsed("--data", "synthetic:shapes", "--out", "run", "--checkpoint-every", "7", "--stage", "lm", "--seed", "9").settings();
        assertThat(s).isEqualTo(TrainSettings.defaults().toBuilder().checkpointEvery(7).stage(Stage.LM).seed(9).build());
    }

    @Test
    void helpShowsTheDefaults() {
        CliRun run = CliRun.of("train", "--help");
        TrainSettings d = TrainSettings.defaults();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Steps between checkpoints (default: " + d.checkpointEvery() + ")")
                .contains("Optimizer steps (default: " + d.steps() + ")")
                .contains("Peak learning rate (default: " + d.lr() + ")")
                .contains("(default: " + d.seed() + ")")
                .contains("(default: " + d.stage().id() + ")");
    }
}
