package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.seemore.model.Presets;
import picocli.CommandLine;

/** The CLI's preset defaults are the names Presets defines, not copies of them. */
class PresetDefaultsTest {

    @Test
    void trainAndBenchDefaultToPresetsNames() {
        CommandLine cli = new CommandLine(new Main());
        assertThat(cli.getSubcommands().get("train").getCommandSpec().findOption("--preset").defaultValue()).isEqualTo(Presets.DEFAULT);
        CommandLine bench = cli.getSubcommands().get("bench").getSubcommands().get("train");
        assertThat(bench.getCommandSpec().findOption("--preset").defaultValue()).isEqualTo(Presets.SEEMORE);
        assertThat(Presets.NAMES).contains(Presets.DEFAULT, Presets.SEEMORE);
    }
}
