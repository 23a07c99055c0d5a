package org.seemore.cli;

import org.seemore.UserException;
import picocli.CommandLine.Command;

/** {@code seemore train} (not yet implemented). */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Not yet implemented.")
public final class TrainCommand implements Runnable {
    @Override
    public void run() {
        throw new UserException("'train' is not implemented yet");
    }
}
