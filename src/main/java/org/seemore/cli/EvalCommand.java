package org.seemore.cli;

import org.seemore.UserException;
import picocli.CommandLine.Command;

/** {@code seemore eval} (not yet implemented). */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Not yet implemented.")
public final class EvalCommand implements Runnable {
    @Override
    public void run() {
        throw new UserException("'eval' is not implemented yet");
    }
}
