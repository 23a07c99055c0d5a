/**
 * A procedurally drawn image-captioning dataset for training and testing the model end to end
 * without downloads: colored shapes on a textured background, captioned from the scene that drew
 * them ("a large red circle at the top left and a small blue star at the bottom right").
 *
 * <p>{@link org.seemore.data.synth.ShapesDataset} generates {@link org.seemore.data.Example}s per
 * {@link org.seemore.data.synth.Split}; a {@link org.seemore.data.synth.Scene} holds the objects
 * (shape, color, size, grid cell) and makes the caption; {@link org.seemore.data.synth.SceneRenderer}
 * draws it. Everything is deterministic given the seed, through the self-contained
 * {@link org.seemore.data.synth.SplitMix64} generator.
 */
package org.seemore.data.synth;
