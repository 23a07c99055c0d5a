package org.seemore.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM while training: the first one asks the run to finish its step and
 * save a checkpoint (the JVM's own handling would exit at once and lose the steps since the last
 * one); a second one exits at once. Installed for the training loop only; closing restores the
 * previous handlers. {@code sun.misc.Signal} (module jdk.unsupported) is the only way Java offers
 * to handle a signal without starting the JVM's shutdown, which cannot be called off.
 */
final class StopSignals implements AutoCloseable {
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile Signal received;

    private StopSignals() {}

    static StopSignals install() {
        StopSignals s = new StopSignals();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal signal = new Signal(name);
            try {
                s.previous.put(signal, Signal.handle(signal, s::onSignal));
            } catch (IllegalArgumentException e) {
                // the platform reserves this signal: it keeps its default behavior
            }
        }
        return s;
    }

    private void onSignal(Signal signal) {
        if (received != null) {
            System.err.println("\nseemore: second SIG" + signal.getName() + ": stopping without a checkpoint");
            Runtime.getRuntime().halt(exitCode(signal));
        }
        received = signal;
    }

    boolean requested() {
        return received != null;
    }

    /** The signal's name, e.g. {@code SIGTERM}; only after {@link #requested()}. */
    String name() {
        return "SIG" + received.getName();
    }

    /** The exit status a shell reports for a process the signal ended: 128 + its number (130, 143). */
    int exitCode() {
        return exitCode(received);
    }

    private static int exitCode(Signal signal) {
        return 128 + signal.getNumber();
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
