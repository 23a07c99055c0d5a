package org.seemore.data.synth;

/**
 * How the synthetic shapes dataset is drawn.
 *
 * @param imageSize the side of the square images, in pixels: 24 (8 pixels per grid cell) to 1024
 * @param seed      the dataset's seed; every split and example derives its own stream from it
 */
public record ShapesConfig(int imageSize, long seed) {
    /** The input size of the {@code small} preset, which the demo trains on these scenes. */
    public static final int DEFAULT_IMAGE_SIZE = 48;
    public static final long DEFAULT_SEED = 0;
    public static final int MIN_IMAGE_SIZE = 24;
    public static final int MAX_IMAGE_SIZE = 1024;

    public ShapesConfig {
        if (imageSize < MIN_IMAGE_SIZE || imageSize > MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException("image size must be between " + MIN_IMAGE_SIZE + " and "
                    + MAX_IMAGE_SIZE + " pixels (smaller shapes stop being recognizable), got " + imageSize);
        }
    }

    public static ShapesConfig defaults() {
        return new ShapesConfig(DEFAULT_IMAGE_SIZE, DEFAULT_SEED);
    }

    public ShapesConfig withImageSize(int imageSize) {
        return new ShapesConfig(imageSize, seed);
    }

    public ShapesConfig withSeed(long seed) {
        return new ShapesConfig(imageSize, seed);
    }
}
