package org.seemore.track;

/**
 * A run's status, as MLflow's {@code service.proto} numbers it: the file store keeps the number in a
 * run's {@code meta.yaml}, the REST API sends the name.
 */
public enum RunStatus {
    RUNNING(1), SCHEDULED(2), FINISHED(3), FAILED(4), KILLED(5);

    /** The enum value in MLflow's proto, written as {@code status:} in a file-store run's meta.yaml. */
    public final int code;

    RunStatus(int code) {
        this.code = code;
    }
}
