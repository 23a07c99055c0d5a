package org.seemore.data.image;

import org.junit.jupiter.api.Test;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;

import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Pillow filter against Pillow itself: {@code fixtures/generated/pillow-resize.safetensors}
 * holds Pillow 9.4's {@code Image.resize} of three drawn images (noise, stripes and checkerboard, a
 * two-pixel row) to downscaled, upscaled, mixed and one-axis sizes with each filter code 0..5
 * (written by {@code scripts/pillow/make_resize_dump.py}). Every byte must be equal.
 */
class ResizePillowTest {

    @Test
    void everyFilterMatchesPillowByteForByte() {
        SafetensorsFile file = SafetensorsFile.read(ImagePreprocessFixtureTest.fixtures().resolve("generated/pillow-resize.safetensors"));
        assertThat(file.metadata("pillow_version")).isEqualTo("9.4.0");
        Map<ResampleFilter, Integer> cases = new EnumMap<>(ResampleFilter.class);
        for (String name : file.names()) {
            if (!name.startsWith("resized.")) continue;
            // resized.<input>.<code>.<W>x<H>
            String[] parts = name.split("\\.");
            RgbImage input = image(file.get("input." + parts[1]));
            ResampleFilter filter = ResampleFilter.fromPillowCode(Integer.parseInt(parts[2]), name);
            RgbImage expected = image(file.get(name));
            RgbImage actual = Resize.resize(input, expected.width(), expected.height(), filter);
            assertThat(actual.rgb()).as("%s: %s of %dx%d to %dx%d, %d bytes differ", name, filter, input.width(), input.height(),
                    expected.width(), expected.height(), differing(actual.rgb(), expected.rgb())).isEqualTo(expected.rgb());
            cases.merge(filter, 1, Integer::sum);
        }
        System.out.println("pillow-resize: exact matches per filter " + cases);
        assertThat(cases).hasSize(6).allSatisfy((filter, count) -> assertThat(count).isEqualTo(14));
    }

    static RgbImage image(StoredTensor tensor) {
        int[] shape = tensor.shape();   // (H, W, 3)
        assertThat(shape).hasSize(3);
        assertThat(shape[2]).isEqualTo(3);
        int[] values = tensor.toInts();
        byte[] rgb = new byte[values.length];
        for (int i = 0; i < values.length; i++) rgb[i] = (byte) values[i];
        return new RgbImage(shape[1], shape[0], rgb);
    }

    private static int differing(byte[] a, byte[] b) {
        int count = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) if (a[i] != b[i]) count++;
        return count;
    }
}
