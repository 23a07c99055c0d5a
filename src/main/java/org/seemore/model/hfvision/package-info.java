/**
 * Hugging Face's image towers, {@code CLIPVisionModel} and {@code SiglipVisionModel}, in float32 with
 * autodiff, under their checkpoint names, as {@link org.seemore.model.VisionTower}s whose features are
 * the hidden state and rows LLaVA selects ({@link org.seemore.model.hfvision.HfVisionTowerConfig}).
 *
 * <p>Legend: B images, C channels, S image side, p patch side, N patches ({@code (S/p)^2}; CLIP adds a
 * class row), D width, I the MLP's inner width.
 */
package org.seemore.model.hfvision;
