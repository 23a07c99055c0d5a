/**
 * Hugging Face image processors: {@link org.seemore.data.image.hf.ImageProcessorConfig} reads a
 * checkpoint's {@code preprocessor_config.json} ({@code CLIPImageProcessor},
 * {@code SiglipImageProcessor}) and {@link org.seemore.data.image.hf.ImageProcessor} turns a decoded
 * image into the model's {@code pixel_values} exactly as transformers 4.45 with Pillow does.
 *
 * <p>Layout: the 8-bit images are {@link org.seemore.data.image.RgbImage}s (H, W, 3); the output is
 * float (3, H, W) per image and (B, 3, H, W) per batch, channels R, G, B, where H x W is the crop
 * (CLIP) or the fixed size (SigLIP): 224 x 224, 336 x 336, 384 x 384 in the common checkpoints.
 */
package org.seemore.data.image.hf;
