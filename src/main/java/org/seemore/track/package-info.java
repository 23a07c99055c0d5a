/**
 * Experiment tracking with MLflow, at the edge: nothing in model/ or train/ depends on it. The CLI
 * wires an {@link org.seemore.track.MlflowTracker} into the trainer as a listener.
 *
 * <p>Two stores: MLflow's file store written directly in its on-disk layout ({@code file:PATH}), and
 * a tracking server through the REST API 2.0 ({@code http(s)://HOST}, {@code databricks}). Every
 * metric is first appended to a spool file in the run directory; a background sender takes them from
 * there to the store, remembering in {@code mlflow.json} how far the store has acknowledged, so an
 * unreachable or slow server never stops training and never loses a metric.
 */
package org.seemore.track;
