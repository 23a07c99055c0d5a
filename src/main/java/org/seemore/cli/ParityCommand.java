package org.seemore.cli;

import org.seemore.UserException;
import picocli.CommandLine.Command;

/** {@code seemore parity} (not yet implemented). */
@Command(name = "parity", mixinStandardHelpOptions = true, description = "Not yet implemented.")
public final class ParityCommand implements Runnable {
    @Override
    public void run() {
        throw new UserException("'parity' is not implemented yet");
    }
}
