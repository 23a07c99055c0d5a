package org.seemore.serve;

import java.util.Base64;
import org.seemore.UserException;
import org.seemore.data.image.ImageDecoder;
import org.seemore.data.image.ImageHeader;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.image.Resize;
import org.seemore.data.image.RgbImage;

/**
 * A request's image: only {@code data:} URIs are read. Remote (http, https) URLs are refused (the
 * server fetches nothing) and nothing names a local file. The size in the header is checked against
 * the limit before any pixel is decoded, so a decompression bomb costs a header read; then the image
 * is decoded, resized and normalized as {@code seemore caption} does.
 */
final class ImageInput {
    private ImageInput() {}

    /** The model's input, (3, S, S) channel-major. */
    static float[] pixels(String url, ImageTransform transform, long maxPixels) {
        ImageSource.EncodedImage source = source(url, maxPixels);
        try {
            RgbImage image = ImageDecoder.decode(source);
            // as caption: resized once to the model's size, then normalized
            RgbImage resized = Resize.bilinear(image, transform.size(), transform.size());
            return transform.apply(new ImageSource.PixelImage("image_url", resized));
        } catch (UserException e) {
            throw ApiError.badRequest("messages", "invalid_image", e.getMessage());
        }
    }

    /** The image's bytes, its header read and its size checked against {@code maxPixels}; not yet decoded. */
    static ImageSource.EncodedImage source(String url, long maxPixels) {
        byte[] bytes = bytes(url);
        ImageSource.EncodedImage source = new ImageSource.EncodedImage("image_url", bytes);
        try {
            long[] size = headerSize(bytes);
            if (size != null && size[0] * size[1] > maxPixels) {
                throw new ApiError(413, "invalid_request_error", "image_too_large", "messages", "the image is " + size[0] + "x"
                        + size[1] + " pixels; this server takes at most " + maxPixels + " pixels");
            }
            ImageHeader.read(source); // the decoder's own checks: format, readable header
            return source;
        } catch (UserException e) {
            throw ApiError.badRequest("messages", "invalid_image", e.getMessage());
        }
    }

    /** Width and height as the header states them, without decoding; null when no reader understands it (the decoder says why). */
    private static long[] headerSize(byte[] bytes) {
        try (javax.imageio.stream.ImageInputStream in = javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
            var readers = javax.imageio.ImageIO.getImageReaders(in);
            if (in == null || !readers.hasNext()) return null;
            javax.imageio.ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new long[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] bytes(String url) {
        String lower = url.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            throw ApiError.badRequest("messages", "remote_image_refused", "remote image URLs are not fetched; send the image inline as a data: URI (data:image/png;base64,...)");
        }
        if (!lower.startsWith("data:")) {
            throw ApiError.badRequest("messages", "invalid_image_url", "the image URL must be a data: URI (data:image/png;base64,...); local files are never read");
        }
        int comma = url.indexOf(',');
        if (comma < 0 || !url.substring(0, comma).toLowerCase(java.util.Locale.ROOT).endsWith(";base64")) {
            throw ApiError.badRequest("messages", "invalid_image_url", "the data: URI must be base64-encoded (data:image/png;base64,...)");
        }
        try {
            return Base64.getDecoder().decode(url.substring(comma + 1).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("messages", "invalid_base64", "the image's base64 data is malformed: " + e.getMessage());
        }
    }
}
