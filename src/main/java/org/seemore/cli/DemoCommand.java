package org.seemore.cli;

import org.seemore.UserException;
import picocli.CommandLine.Command;

/** {@code seemore demo} (not yet implemented). */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Not yet implemented.")
public final class DemoCommand implements Runnable {
    @Override
    public void run() {
        throw new UserException("'demo' is not implemented yet");
    }
}
