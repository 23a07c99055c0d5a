package org.seemore.data.image.hf;

import org.seemore.UserException;
import org.seemore.data.image.ImageDecoder;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.Resize;
import org.seemore.data.image.RgbImage;
import org.seemore.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Hugging Face's {@code CLIPImageProcessor} and {@code SiglipImageProcessor} (transformers 4.45 with
 * Pillow), value for value: the model input a checkpoint's {@code preprocessor_config.json} asks for.
 *
 * <ol>
 *   <li>RGB with Pillow's {@code convert("RGB")} semantics: {@link ImageDecoder} already gives it
 *       (alpha dropped without compositing, gray and palette expanded). CLIP converts itself; SigLIP
 *       4.45 cannot (it fails on gray, palette and RGBA images), so its reference pixels were
 *       converted first, which is what this gives too;</li>
 *   <li>size: CLIP's shortest edge {@code s} makes the short side {@code s} and the long side
 *       {@code int(s * long / short)}, truncated; SigLIP's is a fixed height x width;</li>
 *   <li>Pillow's antialiased resize of the 8-bit image with the config's filter ({@link Resize});</li>
 *   <li>CLIP's centre crop at {@code ((H - h) // 2, (W - w) // 2)}, floor; an image smaller than
 *       the crop is padded with zeros as transformers' {@code center_crop} does;</li>
 *   <li>rescale and normalize with NumPy's arithmetic: {@code x = (float) (u * rescale_factor)}
 *       (the product in double, rounded once), then {@code (x - (float) mean) / (float) std} in
 *       float; channels first. The result depends only on the level and the channel, so it is a
 *       table of 3 x 256 floats.</li>
 * </ol>
 *
 * Thread-safe: immutable once built.
 */
public final class ImageProcessor {
    private final ImageProcessorConfig config;
    /** {@code levels[c][u]}: the model input for 8-bit level u of channel c (step 5). */
    private final float[][] levels;

    public ImageProcessor(ImageProcessorConfig config) {
        this.config = config;
        this.levels = levelTable(config);
    }

    /** Reads {@code preprocessor_config.json} from a file, or from a checkpoint directory holding one. */
    public static ImageProcessor load(Path fileOrDirectory) {
        Path file = Files.isDirectory(fileOrDirectory) ? fileOrDirectory.resolve("preprocessor_config.json") : fileOrDirectory;
        return new ImageProcessor(ImageProcessorConfig.read(file));
    }

    public ImageProcessorConfig config() {
        return config;
    }

    /**
     * Where an input of {@code width x height} goes: its size after the resize, the crop's top-left
     * corner in the resized image (negative where the crop pads), and the output size.
     */
    public record Geometry(int resizedWidth, int resizedHeight, int cropTop, int cropLeft, int outputWidth, int outputHeight) {}

    /** Steps 2 and 4 for an input of {@code width x height}. */
    public Geometry geometry(int width, int height) {
        int resizedWidth = width, resizedHeight = height;
        if (config.doResize()) {
            switch (config.size()) {
                case ImageProcessorConfig.Size.Fixed fixed -> {
                    resizedWidth = fixed.width();
                    resizedHeight = fixed.height();
                }
                case ImageProcessorConfig.Size.ShortestEdge shortest -> {
                    int s = shortest.edge();
                    // transformers: int(s * long / short), a Python true division truncated (not rounded)
                    if (width <= height) {
                        resizedWidth = s;
                        resizedHeight = (int) ((double) ((long) s * height) / width);
                    } else {
                        resizedHeight = s;
                        resizedWidth = (int) ((double) ((long) s * width) / height);
                    }
                }
            }
        }
        if (!config.doCenterCrop()) return new Geometry(resizedWidth, resizedHeight, 0, 0, resizedWidth, resizedHeight);
        // Python's // floors: a crop larger than the image gets a negative offset, i.e. zero padding
        int top = Math.floorDiv(resizedHeight - config.cropHeight(), 2);
        int left = Math.floorDiv(resizedWidth - config.cropWidth(), 2);
        return new Geometry(resizedWidth, resizedHeight, top, left, config.cropWidth(), config.cropHeight());
    }

    /** Steps 2-4: the 8-bit image that transformers rescales and normalizes. */
    public RgbImage resizeAndCrop(RgbImage image) {
        Geometry g = geometry(image.width(), image.height());
        RgbImage resized = g.resizedWidth() == image.width() && g.resizedHeight() == image.height()
                ? image
                : Resize.resize(image, g.resizedWidth(), g.resizedHeight(), config.resample());
        if (!config.doCenterCrop()) return resized;
        return crop(resized, g.cropTop(), g.cropLeft(), g.outputWidth(), g.outputHeight());
    }

    /** Steps 1-5 for one encoded or in-memory image: {@code (3, H, W)} channel-first floats. */
    public float[] pixelValues(ImageSource source) {
        return pixelValues(ImageDecoder.decode(source));
    }

    /** Steps 2-5: {@code (3, H, W)} channel-first floats (H = W = S for the usual square crop or size). */
    public float[] pixelValues(RgbImage image) {
        return toFloats(resizeAndCrop(image));
    }

    /** Step 5 alone: an already resized and cropped 8-bit image to {@code (3, H, W)} floats. */
    public float[] toFloats(RgbImage image) {
        byte[] rgb = image.rgb();
        int plane = image.width() * image.height();
        float[] out = new float[3 * plane];   // (C, H, W)
        for (int p = 0; p < plane; p++) {
            out[p] = levels[0][rgb[3 * p] & 0xFF];
            out[plane + p] = levels[1][rgb[3 * p + 1] & 0xFF];
            out[2 * plane + p] = levels[2][rgb[3 * p + 2] & 0xFF];
        }
        return out;
    }

    /** A batch, as {@code processor(images=[...], return_tensors="pt")["pixel_values"]}: {@code (B, 3, H, W)}. */
    public Tensor batch(List<RgbImage> images) {
        if (images.isEmpty()) throw new IllegalArgumentException("a batch needs at least one image");
        float[][] each = new float[images.size()][];
        Geometry first = null;
        for (int b = 0; b < each.length; b++) {
            RgbImage image = images.get(b);
            Geometry g = geometry(image.width(), image.height());
            if (first == null) first = g;
            if (g.outputWidth() != first.outputWidth() || g.outputHeight() != first.outputHeight()) {
                throw new UserException("image " + b + " of the batch becomes " + g.outputWidth() + "x" + g.outputHeight() + ", image 0 "
                        + first.outputWidth() + "x" + first.outputHeight() + ": without a centre crop or a fixed size the images cannot be stacked");
            }
            each[b] = pixelValues(image);
        }
        int size = each[0].length;
        float[] data = new float[each.length * size];
        for (int b = 0; b < each.length; b++) System.arraycopy(each[b], 0, data, b * size, size);
        return Tensor.of(data, each.length, 3, first.outputHeight(), first.outputWidth());   // (B, 3, H, W)
    }

    /** The {@code width x height} window at (top, left) of the image; pixels outside it are zero. */
    static RgbImage crop(RgbImage image, int top, int left, int width, int height) {
        if (top == 0 && left == 0 && width == image.width() && height == image.height()) return image;
        byte[] src = image.rgb();
        byte[] dst = new byte[width * height * 3];
        int fromX = Math.max(0, -left), toX = Math.min(width, image.width() - left);
        for (int y = 0; y < height; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= image.height() || fromX >= toX) continue;
            System.arraycopy(src, (sy * image.width() + left + fromX) * 3, dst, (y * width + fromX) * 3, (toX - fromX) * 3);
        }
        return new RgbImage(width, height, dst);
    }

    private static float[][] levelTable(ImageProcessorConfig config) {
        double[] mean = config.imageMean();
        double[] std = config.imageStd();
        float[][] table = new float[3][256];
        for (int c = 0; c < 3; c++) {
            float m = (float) mean[c];
            float s = (float) std[c];
            for (int u = 0; u < 256; u++) {
                // rescale: uint8 * Python float in float64, cast to float32; without it normalize casts the uint8
                float x = config.doRescale() ? (float) (u * config.rescaleFactor()) : (float) u;
                // normalize: float32 arrays, subtraction and division each rounded to float
                table[c][u] = config.doNormalize() ? (x - m) / s : x;
            }
        }
        return table;
    }
}
