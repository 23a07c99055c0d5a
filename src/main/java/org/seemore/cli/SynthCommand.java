package org.seemore.cli;

import org.seemore.UserException;
import picocli.CommandLine.Command;

/** {@code seemore synth} (not yet implemented). */
@Command(name = "synth", mixinStandardHelpOptions = true, description = "Not yet implemented.")
public final class SynthCommand implements Runnable {
    @Override
    public void run() {
        throw new UserException("'synth' is not implemented yet");
    }
}
