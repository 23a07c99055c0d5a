package org.seemore.cli;

import org.seemore.UserException;
import picocli.CommandLine.Command;

/** {@code seemore caption} (not yet implemented). */
@Command(name = "caption", mixinStandardHelpOptions = true, description = "Not yet implemented.")
public final class CaptionCommand implements Runnable {
    @Override
    public void run() {
        throw new UserException("'caption' is not implemented yet");
    }
}
