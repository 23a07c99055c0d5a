package org.seemore.data.image;

/**
 * An 8-bit RGB image, row-major and interleaved: the value of channel c at (x, y) is
 * {@code rgb[(y * width + x) * 3 + c] & 0xFF}.
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb holds " + rgb.length + " bytes, expected " + (width * height * 3));
        }
    }
}
