package org.seemore.data.image;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pillow's bilinear resample on cases small enough to work out by hand. */
class ResizeTest {

    @Test
    void downscaleByTwoUsesTheWidenedTriangle() {
        // scale 2, support 2: output 0 is centred at 1.0 with taps 0..2 weighing 0.75, 0.75, 0.25 (3/7, 3/7, 1/7);
        // output 1 is centred at 3.0 with taps 1..3 weighing 1/7, 3/7, 3/7
        RgbImage row = gray(4, 1, 0, 70, 140, 210);
        RgbImage out = Resize.bilinear(row, 2, 1);
        assertThat(grayValues(out)).containsExactly(50, 160);
    }

    @Test
    void upscaleByTwoInterpolatesBetweenNeighbours() {
        // scale 0.5, support 1: centres 0.25, 0.75, 1.25, 1.75; edge outputs see one tap only
        RgbImage row = gray(2, 1, 0, 200);
        assertThat(grayValues(Resize.bilinear(row, 4, 1))).containsExactly(0, 50, 150, 200);
        RgbImage column = gray(1, 2, 0, 200);
        assertThat(grayValues(Resize.bilinear(column, 1, 4))).containsExactly(0, 50, 150, 200);
    }

    @Test
    void flatImagesStayFlatAtAnySize() {
        int[][] sizes = {{37, 23, 32, 32}, {5, 3, 64, 64}, {100, 1, 7, 9}, {1, 1, 3, 2}, {640, 480, 32, 32}};
        for (int[] size : sizes) {
            byte[] rgb = new byte[size[0] * size[1] * 3];
            for (int i = 0; i < rgb.length; i += 3) {
                rgb[i] = (byte) 255;
                rgb[i + 1] = 0;
                rgb[i + 2] = (byte) 77;
            }
            RgbImage out = Resize.bilinear(new RgbImage(size[0], size[1], rgb), size[2], size[3]);
            assertThat(out.width()).isEqualTo(size[2]);
            assertThat(out.height()).isEqualTo(size[3]);
            for (int i = 0; i < out.rgb().length; i += 3) {
                assertThat(out.rgb()[i] & 0xFF).isEqualTo(255);
                assertThat(out.rgb()[i + 1] & 0xFF).isEqualTo(0);
                assertThat(out.rgb()[i + 2] & 0xFF).isEqualTo(77);
            }
        }
    }

    @Test
    void sameSizeIsAnUnchangedCopy() {
        byte[] rgb = new byte[6 * 4 * 3];
        new Random(1).nextBytes(rgb);
        RgbImage image = new RgbImage(6, 4, rgb);
        RgbImage out = Resize.bilinear(image, 6, 4);
        assertThat(out.rgb()).isEqualTo(rgb).isNotSameAs(rgb);
    }

    @Test
    void onlyTheChangedAxisIsResampled() {
        byte[] rgb = new byte[9 * 5 * 3];
        new Random(2).nextBytes(rgb);
        RgbImage image = new RgbImage(9, 5, rgb);
        // changing only the width: each output row depends on its own input row alone
        RgbImage narrow = Resize.bilinear(image, 4, 5);
        for (int y = 0; y < 5; y++) {
            byte[] row = new byte[9 * 3];
            System.arraycopy(rgb, y * 27, row, 0, 27);
            RgbImage alone = Resize.bilinear(new RgbImage(9, 1, row), 4, 1);
            byte[] got = new byte[12];
            System.arraycopy(narrow.rgb(), y * 12, got, 0, 12);
            assertThat(got).isEqualTo(alone.rgb());
        }
    }

    @Test
    void kernelWeightsSumToOneInFixedPointForEveryConvolutionFilter() {
        for (ResampleFilter filter : ResampleFilter.values()) {
            if (filter == ResampleFilter.NEAREST) continue;
            for (int[] sizes : new int[][] {{50, 32}, {37, 32}, {20, 32}, {128, 32}, {33, 32}, {7, 3}, {938, 291}}) {
                Resize.Kernel kernel = Resize.Kernel.of(filter, sizes[0], sizes[1]);
                for (int i = 0; i < sizes[1]; i++) {
                    long sum = 0;
                    for (int t = 0; t < kernel.taps(); t++) sum += kernel.weights()[i * kernel.taps() + t];
                    assertThat(Math.abs(sum - (1 << Resize.PRECISION_BITS))).as("%s %s", filter, Arrays.toString(sizes)).isLessThanOrEqualTo(kernel.taps());
                    assertThat(kernel.start()[i]).isGreaterThanOrEqualTo(0);
                    assertThat(kernel.start()[i] + kernel.count()[i]).isLessThanOrEqualTo(sizes[0]);
                    assertThat(kernel.count()[i]).isLessThanOrEqualTo(kernel.taps());
                }
            }
        }
    }

    @Test
    void nearestAccumulatesItsSourcePositionAsPillowDoes() {
        // 2 -> 7: step 2/7; output 3 sits at 3.5 * 2/7 = 1.0 exactly, but Pillow sums the step three
        // times onto 1/7 and lands at 0.9999999999999999, so it copies pixel 0
        assertThat(Resize.nearestSources(2, 7)).containsExactly(0, 0, 0, 0, 1, 1, 1);
        assertThat(Resize.nearestSources(4, 2)).containsExactly(1, 3);
        assertThat(grayValues(Resize.resize(gray(3, 1, 10, 20, 30), 2, 1, ResampleFilter.NEAREST))).containsExactly(10, 30);
    }

    @Test
    void boxAveragesWhatEachOutputPixelCovers() {
        // 4 -> 2: each output averages two inputs, rounding half up: (0 + 10) / 2 = 5, (20 + 31) / 2 = 25.5 -> 26
        assertThat(grayValues(Resize.resize(gray(4, 1, 0, 10, 20, 31), 2, 1, ResampleFilter.BOX))).containsExactly(5, 26);
    }

    @Test
    void bicubicOvershootIsClippedAtEveryPass() {
        // a step edge upscaled with the Keys cubic rings below 0 (outputs 1, 2) and above 255 (5, 6):
        // clipped, not wrapped; the values are Pillow 9.4's
        int[] row = grayValues(Resize.resize(gray(4, 1, 0, 0, 255, 255), 8, 1, ResampleFilter.BICUBIC));
        assertThat(row).containsExactly(0, 0, 0, 52, 203, 255, 255, 255);
    }

    @Test
    void pillowCodesNameTheirFilters() {
        assertThat(ResampleFilter.fromPillowCode(3, "x")).isEqualTo(ResampleFilter.BICUBIC);
        for (ResampleFilter filter : ResampleFilter.values()) {
            assertThat(ResampleFilter.fromPillowCode(filter.pillowCode(), "x")).isEqualTo(filter);
        }
        assertThatThrownBy(() -> ResampleFilter.fromPillowCode(6, "cfg.json"))
                .isInstanceOf(org.seemore.UserException.class).hasMessageStartingWith("cfg.json: resample 6 is not a Pillow filter code");
    }

    @Test
    void rejectsEmptyTargets() {
        RgbImage image = gray(2, 2, 1, 2, 3, 4);
        assertThatThrownBy(() -> Resize.bilinear(image, 0, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    static RgbImage gray(int width, int height, int... values) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < values.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (byte) values[i];
        }
        return new RgbImage(width, height, rgb);
    }

    static int[] grayValues(RgbImage image) {
        int[] values = new int[image.width() * image.height()];
        for (int i = 0; i < values.length; i++) {
            values[i] = image.rgb()[3 * i] & 0xFF;
            assertThat(image.rgb()[3 * i + 1] & 0xFF).isEqualTo(values[i]);
            assertThat(image.rgb()[3 * i + 2] & 0xFF).isEqualTo(values[i]);
        }
        return values;
    }
}
