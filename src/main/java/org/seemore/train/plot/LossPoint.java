package org.seemore.train.plot;

/** One logged loss value: the optimizer step it was measured at, and the loss. */
public record LossPoint(long step, double value) {}
