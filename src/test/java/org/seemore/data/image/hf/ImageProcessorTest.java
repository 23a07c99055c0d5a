package org.seemore.data.image.hf;

import org.junit.jupiter.api.Test;
import org.seemore.UserException;
import org.seemore.data.image.ResampleFilter;
import org.seemore.data.image.Resize;
import org.seemore.data.image.RgbImage;
import org.seemore.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The processor's steps on cases worked out by hand, beyond what the transformers fixtures reach. */
class ImageProcessorTest {
    private static final ImageProcessor CLIP_224 = processor("{\"image_processor_type\": \"CLIPImageProcessor\"}");

    @Test
    void shortestEdgeTruncatesTheLongSideAndTheCropFloors() {
        // 50x37 at 224: 224 * 50 / 37 = 302.7 -> 302 (not 303); crop left (302 - 224) // 2 = 39
        assertThat(CLIP_224.geometry(50, 37)).isEqualTo(new ImageProcessor.Geometry(302, 224, 0, 39, 224, 224));
        // 721x938: 224 * 938 / 721 = 291.4 -> 291; top (291 - 224) // 2 = 33 (torchvision's round would give 34)
        assertThat(CLIP_224.geometry(721, 938)).isEqualTo(new ImageProcessor.Geometry(224, 291, 33, 0, 224, 224));
        assertThat(CLIP_224.geometry(224, 224)).isEqualTo(new ImageProcessor.Geometry(224, 224, 0, 0, 224, 224));
    }

    @Test
    void aCropLargerThanTheImagePadsWithZerosAsTransformersDoes() {
        // no resize, a 5x3 image, a 8x6 crop: offsets (3 - 6) // 2 = -2 and (5 - 8) // 2 = -2, i.e. the
        // image lands at row 2, column 2 (transformers pads ceil(3 / 2) = 2 before it)
        ImageProcessor padding = processor("{\"image_processor_type\": \"CLIPImageProcessor\", \"do_resize\": false, "
                + "\"crop_size\": {\"height\": 6, \"width\": 8}, \"do_rescale\": false, \"do_normalize\": false}");
        RgbImage image = random(5, 3, 1);
        assertThat(padding.geometry(5, 3)).isEqualTo(new ImageProcessor.Geometry(5, 3, -2, -2, 8, 6));
        RgbImage out = padding.resizeAndCrop(image);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                boolean inside = y >= 2 && y < 5 && x >= 2 && x < 7;
                for (int c = 0; c < 3; c++) {
                    int expected = inside ? image.rgb()[((y - 2) * 5 + x - 2) * 3 + c] & 0xFF : 0;
                    assertThat(out.rgb()[(y * 8 + x) * 3 + c] & 0xFF).as("(%d, %d, %d)", y, x, c).isEqualTo(expected);
                }
            }
        }
        // floats without rescale or normalize are the levels themselves, channels first
        float[] values = padding.pixelValues(image);
        assertThat(values[2 * 8 + 2]).isEqualTo(image.rgb()[0] & 0xFF);
        assertThat(values[48 + 2 * 8 + 2]).isEqualTo(image.rgb()[1] & 0xFF);
        assertThat(values[0]).isZero();
    }

    @Test
    void pixelValuesFollowNumpysFloatArithmetic() {
        RgbImage image = random(224, 224, 2);
        float[] values = CLIP_224.pixelValues(image);
        double[] mean = ImageProcessorConfig.CLIP_MEAN, std = ImageProcessorConfig.CLIP_STD;
        int plane = 224 * 224;
        for (int p = 0; p < plane; p += 97) {
            for (int c = 0; c < 3; c++) {
                int u = image.rgb()[3 * p + c] & 0xFF;
                float x = (float) (u * (1.0 / 255));                         // float64 product, cast once
                float expected = (x - (float) mean[c]) / (float) std[c];      // float32 subtraction and division
                assertThat(values[c * plane + p]).isEqualTo(expected);
            }
        }
    }

    @Test
    void siglipResizesToItsFixedSizeWithTheConfiguredFilterAndNeverCrops() {
        ImageProcessor siglip = processor("{\"image_processor_type\": \"SiglipImageProcessor\", \"size\": {\"height\": 20, \"width\": 30}, \"resample\": 2}");
        RgbImage image = random(47, 13, 3);
        assertThat(siglip.geometry(47, 13)).isEqualTo(new ImageProcessor.Geometry(30, 20, 0, 0, 30, 20));
        assertThat(siglip.resizeAndCrop(image).rgb()).isEqualTo(Resize.resize(image, 30, 20, ResampleFilter.BILINEAR).rgb());
    }

    @Test
    void aBatchStacksTheImagesChannelsFirst() {
        RgbImage a = random(50, 37, 4), b = random(300, 40, 5);
        Tensor batch = CLIP_224.batch(List.of(a, b));
        assertThat(batch.shape()).containsExactly(2, 3, 224, 224);
        float[] data = batch.data();
        int size = 3 * 224 * 224;
        assertThat(Arrays.copyOfRange(data, 0, size)).isEqualTo(CLIP_224.pixelValues(a));
        assertThat(Arrays.copyOfRange(data, size, 2 * size)).isEqualTo(CLIP_224.pixelValues(b));
    }

    @Test
    void imagesOfDifferentOutputSizesCannotBeBatched() {
        ImageProcessor noCrop = processor("{\"image_processor_type\": \"CLIPImageProcessor\", \"do_center_crop\": false, \"size\": 16}");
        assertThatThrownBy(() -> noCrop.batch(List.of(random(16, 16, 6), random(32, 16, 7))))
                .isInstanceOf(UserException.class).hasMessageContaining("image 1 of the batch becomes 32x16, image 0 16x16");
    }

    private static ImageProcessor processor(String json) {
        return new ImageProcessor(ImageProcessorConfig.parse(json, "test.json"));
    }

    private static RgbImage random(int width, int height, long seed) {
        byte[] rgb = new byte[width * height * 3];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(width, height, rgb);
    }
}
