package org.seemore.data.synth;

import org.seemore.data.image.RgbImage;

import java.util.ArrayList;
import java.util.List;

/**
 * Draws a {@link Scene} as a square RGB image: a near-gray textured background (a gradient, a
 * coarse blotchy texture and per-pixel noise) with each object painted, anti-aliased by 4x4
 * supersampling, inside its cell of the 3x3 grid. The randomness (exact position and size within
 * the cell, a slight per-object color shift, the background and the noise) all comes from the
 * given generator, so the same scene and generator state give identical pixels.
 *
 * <p>Rendering is split in two so tests can see where objects landed: {@link #layout} decides each
 * object's placement, {@link #draw} paints the placements.
 */
public final class SceneRenderer {
    private SceneRenderer() {}

    /** Sub-samples per pixel side for anti-aliasing: coverage is measured on a 4x4 grid. */
    private static final int SUPERSAMPLING = 4;
    /** The size jitter, as a fraction of the nominal radius. */
    private static final double RADIUS_JITTER = 0.05;
    /** How much of the free space around an object inside its cell its center may move. */
    private static final double POSITION_JITTER = 0.6;
    /** Per-object color shift, per channel. */
    private static final int COLOR_JITTER = 12;
    /** Background gray levels: far from both black and white, and never saturated. */
    private static final double BACKGROUND_MIN = 70, BACKGROUND_MAX = 150;
    private static final int BACKGROUND_TINT = 8;
    private static final double TEXTURE_AMPLITUDE = 12;
    private static final int TEXTURE_GRID = 4;
    private static final double BACKGROUND_NOISE = 8, OBJECT_NOISE = 5, CHANNEL_NOISE = 3;

    /**
     * Where and how one object is drawn, in pixels (x right, y down).
     *
     * @param radius the radius of the unit disk the shape is defined on ({@link Shape#contains})
     */
    public record Placement(SceneObject object, double centerX, double centerY, double radius,
                            int red, int green, int blue) {}

    /** Layout, then drawing, with the same generator. */
    public static RgbImage render(Scene scene, int size, SplitMix64 rng) {
        return draw(layout(scene, size, rng), size, rng);
    }

    /** Chooses each object's exact center, radius and color within its cell. */
    public static List<Placement> layout(Scene scene, int size, SplitMix64 rng) {
        double cellSide = size / 3.0;
        List<Placement> placements = new ArrayList<>();
        for (SceneObject object : scene.objects()) {
            double radius = object.size().cellFraction() * cellSide / 2
                    * rng.nextDouble(1 - RADIUS_JITTER, 1 + RADIUS_JITTER);
            double maxShift = Math.max(0, cellSide / 2 - radius) * POSITION_JITTER;
            double centerX = (object.cell().column() + 0.5) * cellSide + rng.nextDouble(-maxShift, maxShift);
            double centerY = (object.cell().row() + 0.5) * cellSide + rng.nextDouble(-maxShift, maxShift);
            Color color = object.color();
            placements.add(new Placement(object, centerX, centerY, radius,
                    clamp(color.red() + rng.nextSymmetric(COLOR_JITTER)),
                    clamp(color.green() + rng.nextSymmetric(COLOR_JITTER)),
                    clamp(color.blue() + rng.nextSymmetric(COLOR_JITTER))));
        }
        return placements;
    }

    /** Paints the background, then each placement over it. */
    public static RgbImage draw(List<Placement> placements, int size, SplitMix64 rng) {
        double[] pixels = background(size, rng); // (size, size, 3)
        for (Placement placement : placements) paint(pixels, size, placement, rng);
        byte[] rgb = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) rgb[i] = (byte) clamp((int) Math.round(pixels[i]));
        return new RgbImage(size, size, rgb);
    }

    /**
     * A gray gradient in a random direction, a slight constant tint, a smooth blotchy texture
     * (bilinear interpolation of a coarse random grid) and per-pixel noise.
     */
    private static double[] background(int size, SplitMix64 rng) {
        double from = rng.nextDouble(BACKGROUND_MIN, BACKGROUND_MAX);
        double to = rng.nextDouble(BACKGROUND_MIN, BACKGROUND_MAX);
        double angle = rng.nextDouble(0, 2 * StrictMath.PI);
        double directionX = StrictMath.cos(angle), directionY = StrictMath.sin(angle);
        int[] tint = {rng.nextSymmetric(BACKGROUND_TINT), rng.nextSymmetric(BACKGROUND_TINT), rng.nextSymmetric(BACKGROUND_TINT)};
        double[] texture = new double[(TEXTURE_GRID + 1) * (TEXTURE_GRID + 1)];
        for (int i = 0; i < texture.length; i++) texture[i] = rng.nextDouble(-TEXTURE_AMPLITUDE, TEXTURE_AMPLITUDE);

        double[] pixels = new double[size * size * 3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double u = (x + 0.5) / size, v = (y + 0.5) / size; // in (0, 1)
                // The projection on the direction lies in [-1/sqrt2, 1/sqrt2]; map it to [0, 1].
                double t = 0.5 + ((u - 0.5) * directionX + (v - 0.5) * directionY) * StrictMath.sqrt(0.5);
                double level = from + (to - from) * t + bilinear(texture, u * TEXTURE_GRID, v * TEXTURE_GRID)
                        + rng.nextDouble(-BACKGROUND_NOISE, BACKGROUND_NOISE);
                int offset = (y * size + x) * 3;
                for (int c = 0; c < 3; c++) {
                    pixels[offset + c] = level + tint[c] + rng.nextDouble(-CHANNEL_NOISE, CHANNEL_NOISE);
                }
            }
        }
        return pixels;
    }

    private static double bilinear(double[] grid, double gx, double gy) {
        int x0 = Math.min((int) gx, TEXTURE_GRID - 1), y0 = Math.min((int) gy, TEXTURE_GRID - 1);
        double fx = gx - x0, fy = gy - y0;
        int row = TEXTURE_GRID + 1;
        double top = grid[y0 * row + x0] * (1 - fx) + grid[y0 * row + x0 + 1] * fx;
        double bottom = grid[(y0 + 1) * row + x0] * (1 - fx) + grid[(y0 + 1) * row + x0 + 1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    /** Blends the object's noisy color over the pixels it covers, weighted by sub-sample coverage. */
    private static void paint(double[] pixels, int size, Placement placement, SplitMix64 rng) {
        double r = placement.radius();
        int x0 = Math.max(0, (int) Math.floor(placement.centerX() - r));
        int x1 = Math.min(size - 1, (int) Math.ceil(placement.centerX() + r));
        int y0 = Math.max(0, (int) Math.floor(placement.centerY() - r));
        int y1 = Math.min(size - 1, (int) Math.ceil(placement.centerY() + r));
        int[] color = {placement.red(), placement.green(), placement.blue()};
        Shape shape = placement.object().shape();
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int covered = 0;
                for (int sy = 0; sy < SUPERSAMPLING; sy++) {
                    double v = (y + (sy + 0.5) / SUPERSAMPLING - placement.centerY()) / r;
                    for (int sx = 0; sx < SUPERSAMPLING; sx++) {
                        double u = (x + (sx + 0.5) / SUPERSAMPLING - placement.centerX()) / r;
                        if (shape.contains(u, v)) covered++;
                    }
                }
                if (covered == 0) continue;
                double coverage = covered / (double) (SUPERSAMPLING * SUPERSAMPLING);
                double shade = rng.nextDouble(-OBJECT_NOISE, OBJECT_NOISE);
                int offset = (y * size + x) * 3;
                for (int c = 0; c < 3; c++) {
                    double paint = color[c] + shade + rng.nextDouble(-CHANNEL_NOISE, CHANNEL_NOISE);
                    pixels[offset + c] = coverage * paint + (1 - coverage) * pixels[offset + c];
                }
            }
        }
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }
}
