package org.seemore.cli;

import org.seemore.UserException;
import picocli.CommandLine.Command;

/** {@code seemore bench} (not yet implemented). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Not yet implemented.")
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        throw new UserException("'bench' is not implemented yet");
    }
}
