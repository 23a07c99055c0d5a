package org.seemore.cli;

import org.seemore.track.MlflowTracker;
import org.seemore.track.TrackingUri;
import picocli.CommandLine.Option;

/** The MLflow flags of {@code train} and {@code demo}; MLFLOW_TRACKING_URI stands in for a missing --mlflow, as for MLflow's own client. */
public final class MlflowOptions {
    static final String ENV = "MLFLOW_TRACKING_URI";

    @Option(names = "--mlflow", paramLabel = "URI", description = {"Track the run in MLflow: file:PATH (MLflow's file store), "
            + "http(s)://HOST (a tracking server) or databricks (default: $" + ENV + "; no tracking when unset)."})
    String uri;

    @Option(names = "--mlflow-experiment", paramLabel = "NAME", description = "MLflow experiment (default: ${DEFAULT-VALUE}).", defaultValue = "seemore")
    String experiment;

    @Option(names = "--mlflow-run-name", paramLabel = "NAME", description = "MLflow run name (default: the run directory's name).")
    String runName;

    /** What the user asked for; {@code experimentGiven} when --mlflow-experiment was on the command line. */
    MlflowTracker.Options options(boolean experimentGiven) {
        String env = System.getenv(ENV);
        if (uri != null) return new MlflowTracker.Options(uri, "--mlflow", experiment, experimentGiven, runName);
        if (env != null && !env.isBlank()) return new MlflowTracker.Options(env, ENV, experiment, experimentGiven, runName);
        return new MlflowTracker.Options(null, null, experiment, experimentGiven, runName);
    }

    /** Checks the URI's form before anything slow happens. */
    void check() {
        MlflowTracker.Options o = options(false);
        if (o.uri() != null) TrackingUri.parse(o.uri(), o.uriSource(), System::getenv);
    }

    /** Prints a tracking notice as the other notices are printed. */
    static void notice(String message) {
        System.err.println("seemore: " + message);
    }
}
