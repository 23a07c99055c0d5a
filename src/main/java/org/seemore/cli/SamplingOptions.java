package org.seemore.cli;

import org.seemore.generate.Sampler;
import picocli.CommandLine.Option;

/** How generated tokens are picked: greedy, or sampled with a temperature, top-k and top-p (caption and chat). */
public final class SamplingOptions {
    @Option(names = "--temperature", paramLabel = "T", description = "0 is greedy (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling threshold (default: ${DEFAULT-VALUE}).", defaultValue = "1.0")
    double topP;

    /** The sampler; bad values are one line naming the flags. */
    Sampler sampler() {
        return CliSupport.parse("--temperature/--top-k/--top-p", () -> Sampler.of(temperature, topK, topP));
    }
}
