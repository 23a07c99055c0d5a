package org.seemore.data.image;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Layout, arithmetic and inverse of the model's image preprocessing. */
class ImageTransformTest {

    @Test
    void outputIsChannelMajorAndNormalizedInFloat32() {
        ImageTransform transform = ImageTransform.imagenet(4);
        byte[] rgb = new byte[4 * 4 * 3];
        for (int p = 0; p < 16; p++) {
            rgb[3 * p] = (byte) 255;
            rgb[3 * p + 1] = (byte) p;
            rgb[3 * p + 2] = 0;
        }
        float[] out = transform.apply(new RgbImage(4, 4, rgb));   // no resize: already 4x4
        assertThat(out).hasSize(3 * 16);
        for (int p = 0; p < 16; p++) {
            assertThat(out[p]).isEqualTo((255 / 255f - 0.485f) / 0.229f);
            assertThat(out[16 + p]).isEqualTo((p / 255f - 0.456f) / 0.224f);
            assertThat(out[32 + p]).isEqualTo((0f - 0.406f) / 0.225f);
        }
    }

    @Test
    void inverseRecoversTheResizedPixels() {
        ImageTransform transform = ImageTransform.imagenet(8);
        byte[] rgb = new byte[13 * 11 * 3];
        new Random(5).nextBytes(rgb);
        RgbImage image = new RgbImage(13, 11, rgb);
        RgbImage back = transform.toImage(transform.apply(image));
        assertThat(back.rgb()).isEqualTo(Resize.bilinear(image, 8, 8).rgb());
    }

    @Test
    void pixelImagesPassThroughTheDecoder() {
        RgbImage image = ResizeTest.gray(2, 2, 10, 20, 30, 40);
        ImageTransform transform = new ImageTransform(2, new float[] {0, 0, 0}, new float[] {1, 1, 1});
        float[] out = transform.apply(new ImageSource.PixelImage("drawn", image));
        assertThat(out).containsExactly(10 / 255f, 20 / 255f, 30 / 255f, 40 / 255f,
                10 / 255f, 20 / 255f, 30 / 255f, 40 / 255f,
                10 / 255f, 20 / 255f, 30 / 255f, 40 / 255f);
    }

    @Test
    void rejectsInvalidSettings() {
        assertThatThrownBy(() -> ImageTransform.imagenet(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageTransform(8, new float[] {0, 0}, new float[] {1, 1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageTransform(8, new float[] {0, 0, 0}, new float[] {1, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> ImageTransform.imagenet(4).toImage(new float[5])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void distortionNamesExtremeAspectRatiosAndImagesEnlargedMoreThanTwice() {
        ImageTransform transform = ImageTransform.imagenet(48);
        assertThat(transform.distortion(48, 48)).isEmpty();
        assertThat(transform.distortion(640, 480)).isEmpty();
        assertThat(transform.distortion(200, 50)).as("4:1 is the limit").isEmpty();
        assertThat(transform.distortion(24, 24)).as("enlarged exactly 2x").isEmpty();
        assertThat(transform.distortion(201, 50)).contains("201x50 pixels, resized to 48x48: its aspect ratio 4.02:1 becomes 1:1");
        assertThat(transform.distortion(20, 300)).contains(
                "20x300 pixels, resized to 48x48: its aspect ratio 1:15 becomes 1:1 and its 20-pixel side is enlarged 2.4x");
        assertThat(transform.distortion(1, 1)).contains("1x1 pixels, resized to 48x48: its 1-pixel side is enlarged 48x");
    }
}
