package org.seemore.data.image;

import org.seemore.UserException;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Turns a decoded image into 8-bit RGB with the values of Pillow's {@code convert("RGB")}.
 *
 * <p>It reads raster samples, never {@code BufferedImage.getRGB}: that applies the colour model's
 * colour-space conversion (a gray raster goes through a linear-gray to sRGB curve), which Pillow
 * does not. The rules, each as Pillow applies it:
 * <ul>
 *   <li>palette images: each index looked up in the palette;</li>
 *   <li>alpha: dropped, the colour samples kept as stored (no premultiplication, no background);</li>
 *   <li>gray: the value copied to all three channels;</li>
 *   <li>16-bit samples: the high byte, except 16-bit gray without alpha (Pillow mode "I;16"),
 *       which clips to 255;</li>
 *   <li>samples of fewer bits (1/2/4-bit gray, 5- and 6-bit BMP fields): {@code v * 255 / (2^bits - 1)}.</li>
 * </ul>
 */
final class PilConversion {
    private PilConversion() {}

    static RgbImage toRgb(BufferedImage image, boolean sixteenBitGrayClips, String origin) {
        int width = image.getWidth();
        int height = image.getHeight();
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        byte[] rgb = new byte[width * height * 3];
        if (model instanceof IndexColorModel palette) {
            expandPalette(raster, palette, rgb);
            return new RgbImage(width, height, rgb);
        }
        int spaceType = model.getColorSpace().getType();
        int colours = model.getNumColorComponents();
        boolean rgbSpace = spaceType == ColorSpace.TYPE_RGB && colours == 3;
        boolean graySpace = spaceType == ColorSpace.TYPE_GRAY && colours == 1;
        if (!rgbSpace && !graySpace) {
            throw new UserException(origin + ": unsupported colour space (" + colours + " colour components, "
                    + spaceName(spaceType) + "); convert the image to RGB or grayscale");
        }
        int bands = raster.getNumBands();
        int[] row = new int[width * bands];
        int[][] lookup = new int[colours][];
        for (int c = 0; c < colours; c++) {
            lookup[c] = sampleTo8Bit(raster.getSampleModel().getSampleSize(c), graySpace && !model.hasAlpha() && sixteenBitGrayClips);
        }
        for (int y = 0; y < height; y++) {
            raster.getPixels(0, y, width, 1, row);
            int out = y * width * 3;
            for (int x = 0; x < width; x++, out += 3) {
                int in = x * bands;
                if (graySpace) {
                    byte v = (byte) lookup[0][row[in]];
                    rgb[out] = v;
                    rgb[out + 1] = v;
                    rgb[out + 2] = v;
                } else {
                    rgb[out] = (byte) lookup[0][row[in]];
                    rgb[out + 1] = (byte) lookup[1][row[in + 1]];
                    rgb[out + 2] = (byte) lookup[2][row[in + 2]];
                }
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** Maps every possible sample value of {@code bits} bits to 8 bits, per the rules above. */
    static int[] sampleTo8Bit(int bits, boolean clip) {
        if (bits < 1 || bits > 16) throw new IllegalArgumentException("unsupported sample size: " + bits + " bits");
        int max = (1 << bits) - 1;
        int[] table = new int[max + 1];
        for (int v = 0; v <= max; v++) {
            if (bits == 8) table[v] = v;
            else if (bits == 16) table[v] = clip ? Math.min(v, 255) : v >> 8;
            else if (bits > 8) table[v] = v >> (bits - 8);
            else table[v] = v * 255 / max;
        }
        return table;
    }

    private static void expandPalette(Raster raster, IndexColorModel palette, byte[] rgb) {
        int width = raster.getWidth();
        int size = palette.getMapSize();
        int[] row = new int[width];
        for (int y = 0; y < raster.getHeight(); y++) {
            raster.getSamples(0, y, width, 1, 0, row);
            int out = y * width * 3;
            for (int x = 0; x < width; x++, out += 3) {
                int index = row[x];
                int argb = index < size ? palette.getRGB(index) : 0;   // an index past the palette is black
                rgb[out] = (byte) (argb >> 16);
                rgb[out + 1] = (byte) (argb >> 8);
                rgb[out + 2] = (byte) argb;
            }
        }
    }

    private static String spaceName(int type) {
        return switch (type) {
            case ColorSpace.TYPE_CMYK -> "CMYK";
            case ColorSpace.TYPE_YCbCr -> "YCbCr";
            case ColorSpace.TYPE_RGB -> "RGB";
            case ColorSpace.TYPE_GRAY -> "gray";
            default -> "colour space type " + type;
        };
    }
}
