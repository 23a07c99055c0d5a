package org.seemore.data.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Places where javax.imageio on its own would disagree with Pillow. */
class ImageDecoderQuirksTest {

    @Test
    void jpegEmbeddedColourProfileIsIgnoredAsPillowIgnoresIt() throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(3);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) image.setRGB(x, y, random.nextInt(1 << 24));
        byte[] plain = ImageDecoderFormatsTest.encode(image, "jpeg");
        byte[] profile = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] tagged = withIccProfile(plain, profile);

        RgbImage expected = ImageDecoder.decode("plain.jpg", plain);
        RgbImage actual = ImageDecoder.decode("tagged.jpg", tagged);
        assertThat(actual.rgb()).isEqualTo(expected.rgb());
        // javax.imageio's default read converts from the profile, which is what the decoder avoids
        BufferedImage converted = ImageIO.read(new ByteArrayInputStream(tagged));
        BufferedImage unconverted = ImageIO.read(new ByteArrayInputStream(plain));
        assertThat(converted.getRGB(0, 0, 16, 16, null, 0, 16)).isNotEqualTo(unconverted.getRGB(0, 0, 16, 16, null, 0, 16));
    }

    @Test
    void gifFrameIsPlacedOnTheLogicalScreenFilledWithIndexZero() {
        // screen 4x3, global palette {0: red, 1: green, 2: blue, 3: white}, frame 2x2 at (1, 1) of indices 1,2,3,1
        byte[] gif = gif(4, 3, 1, 1, 2, 2, new int[] {1, 2, 3, 1}, -1);
        RgbImage rgb = ImageDecoder.decode("offset.gif", gif);
        assertThat(rgb.width()).isEqualTo(4);
        assertThat(rgb.height()).isEqualTo(3);
        int[][] expected = {
                {0, 0, 0, 0},
                {0, 1, 2, 0},
                {0, 3, 1, 0}};
        assertIndices(rgb, expected);
    }

    @Test
    void gifScreenIsFilledWithTheTransparentIndexWhenThereIsOne() {
        byte[] gif = gif(3, 2, 2, 0, 1, 2, new int[] {1, 1}, 2);
        RgbImage rgb = ImageDecoder.decode("transparent.gif", gif);
        assertIndices(rgb, new int[][] {{2, 2, 1}, {2, 2, 1}});
    }

    @Test
    void gifFrameLargerThanTheScreenGrowsIt() {
        byte[] gif = gif(2, 2, 1, 0, 2, 2, new int[] {3, 3, 3, 3}, -1);
        RgbImage rgb = ImageDecoder.decode("grow.gif", gif);
        assertIndices(rgb, new int[][] {{0, 3, 3}, {0, 3, 3}});
    }

    private static final int[][] PALETTE = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};

    private static void assertIndices(RgbImage rgb, int[][] indices) {
        assertThat(rgb.height()).isEqualTo(indices.length);
        assertThat(rgb.width()).isEqualTo(indices[0].length);
        for (int y = 0; y < indices.length; y++) {
            for (int x = 0; x < indices[0].length; x++) {
                int[] colour = PALETTE[indices[y][x]];
                int at = (y * rgb.width() + x) * 3;
                for (int c = 0; c < 3; c++) assertThat(rgb.rgb()[at + c] & 0xFF).as("(%d, %d)", x, y).isEqualTo(colour[c]);
            }
        }
    }

    /**
     * A one-frame GIF89a written by hand, with a 4-colour global palette. The LZW data emits a clear
     * code before every pair of pixels so that codes stay 3 bits wide without building a dictionary.
     */
    private static byte[] gif(int screenW, int screenH, int left, int top, int w, int h, int[] pixels, int transparent) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
        short16(out, screenW);
        short16(out, screenH);
        out.write(0x80 | 0x01);   // global colour table of 2^(1+1) = 4 entries
        out.write(0);
        out.write(0);
        for (int[] colour : PALETTE) for (int c : colour) out.write(c);
        if (transparent >= 0) {
            out.writeBytes(new byte[] {0x21, (byte) 0xF9, 4, 1, 0, 0, (byte) transparent, 0});
        }
        out.write(0x2C);
        short16(out, left);
        short16(out, top);
        short16(out, w);
        short16(out, h);
        out.write(0);
        out.write(2);   // LZW minimum code size: clear = 4, end = 5
        BitWriter bits = new BitWriter();
        for (int i = 0; i < pixels.length; i++) {
            if (i % 2 == 0) bits.write(4, 3);
            bits.write(pixels[i], 3);
        }
        bits.write(5, 3);
        byte[] data = bits.toByteArray();
        out.write(data.length);
        out.writeBytes(data);
        out.write(0);
        out.write(0x3B);
        return out.toByteArray();
    }

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write(value & 0xFF);
        out.write(value >> 8);
    }

    /** GIF packs codes least-significant bit first. */
    private static final class BitWriter {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int buffer, count;

        void write(int code, int width) {
            buffer |= code << count;
            count += width;
            while (count >= 8) {
                bytes.write(buffer & 0xFF);
                buffer >>>= 8;
                count -= 8;
            }
        }

        byte[] toByteArray() {
            if (count > 0) bytes.write(buffer & 0xFF);
            count = 0;
            return bytes.toByteArray();
        }
    }

    /** Inserts an APP2 ICC_PROFILE segment after the JFIF APP0 segment. */
    private static byte[] withIccProfile(byte[] jpeg, byte[] profile) {
        assertThat(jpeg[2] & 0xFF).isEqualTo(0xFF);
        assertThat(jpeg[3] & 0xFF).isEqualTo(0xE0);
        int app0End = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
        byte[] tag = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
        int length = 2 + tag.length + 2 + profile.length;
        assertThat(length).isLessThan(65536);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, app0End);
        out.write(0xFF);
        out.write(0xE2);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(tag);
        out.write(1);   // chunk 1
        out.write(1);   // of 1
        out.writeBytes(profile);
        out.write(jpeg, app0End, jpeg.length - app0End);
        return out.toByteArray();
    }
}
