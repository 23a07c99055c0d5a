package org.seemore.track;

/**
 * One metric value as MLflow stores it: a key, a double, the wall-clock time in milliseconds when it
 * was recorded and the training step. The timestamp is fixed when the value is recorded, so a resent
 * value is the same (key, value, timestamp, step) as the first attempt.
 */
public record Metric(String key, double value, long timestamp, long step) {}
