package org.seemore.data.image;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the bilinear resize bit for bit across the generalisation of {@link Resize} to every Pillow
 * filter: the digest was taken from the bilinear-only implementation (commit 300b37e) on a sweep of
 * seeded images and sizes (down, up, one axis, same size, odd ratios, 1-pixel edges).
 */
class ResizeBilinearPinTest {

    static final int[][] SIZES = {
            {37, 23, 32, 32}, {5, 3, 64, 64}, {100, 1, 7, 9}, {1, 1, 3, 2}, {640, 480, 32, 32}, {721, 938, 224, 291},
            {50, 37, 302, 224}, {33, 20, 3, 1}, {9, 5, 4, 5}, {9, 5, 9, 13}, {300, 40, 17, 40}, {20, 20, 336, 336},
            {128, 96, 33, 97}, {3, 200, 1, 50}, {64, 48, 64, 48}, {255, 7, 254, 6},
    };

    @Test
    void bilinearOutputsMatchTheDigestOfTheOriginalImplementation() throws NoSuchAlgorithmException {
        assertThat(digest()).isEqualTo("fea16f622aba57de2b86f895a5b1e07cdd0d383077b3acadb4c25b0c45a9907b");
    }

    static String digest() throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random random = new Random(20240611);
        for (int[] size : SIZES) {
            byte[] rgb = new byte[size[0] * size[1] * 3];
            random.nextBytes(rgb);
            sha.update(Resize.bilinear(new RgbImage(size[0], size[1], rgb), size[2], size[3]).rgb());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
