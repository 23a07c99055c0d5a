package org.seemore.data.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sample layouts beyond the fixtures, each encoded with javax.imageio and decoded back; the expected
 * RGB follows Pillow's {@code convert("RGB")} rules (see {@link PilConversion}).
 */
class ImageDecoderFormatsTest {
    private static final int W = 7, H = 5;
    private final Random random = new Random(7);

    @Test
    void eightBitGrayIsReplicatedWithoutGammaCurve() throws IOException {
        BufferedImage gray = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = randomSamples(W * H, 256);
        gray.getRaster().setPixels(0, 0, W, H, values);
        RgbImage rgb = ImageDecoder.decode("gray.png", encode(gray, "png"));
        assertGray(rgb, values, v -> v);
        RgbImage bmp = ImageDecoder.decode("gray.bmp", encode(gray, "bmp"));
        assertGray(bmp, values, v -> v);
    }

    @Test
    void sixteenBitGrayClipsAt255LikePillowModeI16() throws IOException {
        BufferedImage gray = new BufferedImage(W, H, BufferedImage.TYPE_USHORT_GRAY);
        int[] values = randomSamples(W * H, 65536);
        values[0] = 0;
        values[1] = 200;
        values[2] = 255;
        values[3] = 256;
        values[4] = 65535;
        gray.getRaster().setPixels(0, 0, W, H, values);
        RgbImage rgb = ImageDecoder.decode("gray16.png", encode(gray, "png"));
        assertGray(rgb, values, v -> Math.min(v, 255));
    }

    @Test
    void sixteenBitRgbKeepsTheHighByte() throws IOException {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(W, H);
        int[] values = randomSamples(W * H * 3, 65536);
        raster.setPixels(0, 0, W, H, values);
        RgbImage rgb = ImageDecoder.decode("rgb16.png", encode(new BufferedImage(model, raster, false, null), "png"));
        for (int i = 0; i < values.length; i++) assertThat(rgb.rgb()[i] & 0xFF).isEqualTo(values[i] >> 8);
    }

    @Test
    void grayWithAlphaDropsAlpha() throws IOException {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(W, H);
        int[] values = randomSamples(W * H * 2, 256);
        raster.setPixels(0, 0, W, H, values);
        RgbImage rgb = ImageDecoder.decode("la.png", encode(new BufferedImage(model, raster, false, null), "png"));
        int[] gray = new int[W * H];
        for (int i = 0; i < gray.length; i++) gray[i] = values[2 * i];
        assertGray(rgb, gray, v -> v);
    }

    @Test
    void rgbaDropsAlphaWithoutPremultiplying() throws IOException {
        BufferedImage rgba = new BufferedImage(W, H, BufferedImage.TYPE_4BYTE_ABGR);
        int[] values = randomSamples(W * H * 4, 256);
        for (int i = 0; i < W * H; i++) values[4 * i + 3] = i % 3 == 0 ? 0 : values[4 * i + 3];   // some fully transparent
        rgba.getRaster().setPixels(0, 0, W, H, values);
        RgbImage rgb = ImageDecoder.decode("rgba.png", encode(rgba, "png"));
        for (int i = 0; i < W * H; i++) {
            for (int c = 0; c < 3; c++) assertThat(rgb.rgb()[3 * i + c] & 0xFF).isEqualTo(values[4 * i + c]);
        }
    }

    @Test
    void fourBitPaletteExpandsThroughThePalette() throws IOException {
        byte[] r = new byte[16], g = new byte[16], b = new byte[16];
        for (int i = 0; i < 16; i++) {
            r[i] = (byte) (i * 16 + 3);
            g[i] = (byte) (255 - i * 13);
            b[i] = (byte) (i * i);
        }
        IndexColorModel palette = new IndexColorModel(4, 16, r, g, b);
        BufferedImage indexed = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY, palette);
        int[] indices = randomSamples(W * H, 16);
        indexed.getRaster().setPixels(0, 0, W, H, indices);
        for (String format : new String[] {"png", "bmp", "gif"}) {
            RgbImage rgb = ImageDecoder.decode("palette." + format, encode(indexed, format));
            for (int i = 0; i < W * H; i++) {
                assertThat(rgb.rgb()[3 * i] & 0xFF).as(format).isEqualTo(r[indices[i]] & 0xFF);
                assertThat(rgb.rgb()[3 * i + 1] & 0xFF).as(format).isEqualTo(g[indices[i]] & 0xFF);
                assertThat(rgb.rgb()[3 * i + 2] & 0xFF).as(format).isEqualTo(b[indices[i]] & 0xFF);
            }
        }
    }

    @Test
    void sixteenBitBmpScalesFieldsLikePillow() throws IOException {
        BufferedImage rgb565 = new BufferedImage(W, H, BufferedImage.TYPE_USHORT_565_RGB);
        int[] values = new int[W * H * 3];
        for (int i = 0; i < W * H; i++) {
            values[3 * i] = random.nextInt(32);
            values[3 * i + 1] = random.nextInt(64);
            values[3 * i + 2] = random.nextInt(32);
        }
        rgb565.getRaster().setPixels(0, 0, W, H, values);
        RgbImage rgb = ImageDecoder.decode("565.bmp", encode(rgb565, "bmp"));
        for (int i = 0; i < W * H; i++) {
            assertThat(rgb.rgb()[3 * i] & 0xFF).isEqualTo(values[3 * i] * 255 / 31);
            assertThat(rgb.rgb()[3 * i + 1] & 0xFF).isEqualTo(values[3 * i + 1] * 255 / 63);
            assertThat(rgb.rgb()[3 * i + 2] & 0xFF).isEqualTo(values[3 * i + 2] * 255 / 31);
        }
    }

    @Test
    void rgbRoundTripsExactlyThroughPngAndBmp() throws IOException {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        int[] values = randomSamples(W * H * 3, 256);
        image.getRaster().setPixels(0, 0, W, H, values);
        for (String format : new String[] {"png", "bmp"}) {
            RgbImage rgb = ImageDecoder.decode("rgb." + format, encode(image, format));
            assertThat(rgb.width()).isEqualTo(W);
            assertThat(rgb.height()).isEqualTo(H);
            for (int i = 0; i < values.length; i++) assertThat(rgb.rgb()[i] & 0xFF).as(format).isEqualTo(values[i]);
        }
    }

    @Test
    void grayJpegDecodesToEqualChannels() throws IOException {
        BufferedImage gray = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) gray.getRaster().setSample(x, y, 0, 120);
        RgbImage rgb = ImageDecoder.decode("gray.jpg", encode(gray, "jpeg"));
        for (int i = 0; i < 16 * 16; i++) {
            assertThat(rgb.rgb()[3 * i] & 0xFF).isBetween(118, 122);   // flat gray survives JPEG almost exactly
            assertThat(rgb.rgb()[3 * i + 1]).isEqualTo(rgb.rgb()[3 * i]);
            assertThat(rgb.rgb()[3 * i + 2]).isEqualTo(rgb.rgb()[3 * i]);
        }
    }

    private int[] randomSamples(int count, int bound) {
        int[] values = new int[count];
        for (int i = 0; i < count; i++) values[i] = random.nextInt(bound);
        return values;
    }

    private static void assertGray(RgbImage rgb, int[] values, java.util.function.IntUnaryOperator expected) {
        assertThat(rgb.width() * rgb.height()).isEqualTo(values.length);
        for (int i = 0; i < values.length; i++) {
            int want = expected.applyAsInt(values[i]);
            for (int c = 0; c < 3; c++) assertThat(rgb.rgb()[3 * i + c] & 0xFF).as("pixel %d of value %d", i, values[i]).isEqualTo(want);
        }
    }

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).as("javax.imageio writes " + format).isTrue();
        return out.toByteArray();
    }
}
