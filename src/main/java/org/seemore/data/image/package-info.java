/**
 * Images: where they come from ({@link org.seemore.data.image.ImageSource}), decoding PNG, JPEG,
 * GIF and BMP to 8-bit RGB as Pillow's {@code convert("RGB")} does
 * ({@link org.seemore.data.image.ImageDecoder}), Pillow's antialiased resize with any of its filters
 * ({@link org.seemore.data.image.Resize}, {@link org.seemore.data.image.ResampleFilter}) and the
 * model's normalization ({@link org.seemore.data.image.ImageTransform}). Hugging Face checkpoints'
 * own preprocessing (CLIP, SigLIP) is in the {@code hf} sub-package.
 *
 * <p>Pixel layout: {@link org.seemore.data.image.RgbImage} is interleaved (H, W, 3) bytes; the
 * model input is float (C, H, W) with C = 3 in R, G, B order, H = W = S the input size.
 */
package org.seemore.data.image;
