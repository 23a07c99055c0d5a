/**
 * Training plots and the caption contact sheet, written as PNG files: {@link
 * org.seemore.train.plot.LossChart} (training and validation loss against step), {@link
 * org.seemore.train.plot.ExpertLoadChart} (each expert's share of the routed tokens, stacked and
 * averaged over windows of steps, one panel per MoE layer) and {@link org.seemore.train.plot.ContactSheet} (images with their generated
 * captions, green when exact, red otherwise).
 *
 * <p>Charts are drawn with JFreeChart, the contact sheet with plain Java2D; both work headless and
 * use only logical fonts ({@code SansSerif}). Every file is written to a temporary file in the same
 * directory and then moved over the target, so a plot that training rewrites every few hundred
 * steps is never seen half-written. An IO failure is a {@link org.seemore.UserException} naming
 * the file.
 */
package org.seemore.train.plot;
