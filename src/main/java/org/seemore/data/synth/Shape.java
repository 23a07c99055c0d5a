package org.seemore.data.synth;

/**
 * The shapes a scene is drawn with, each defined on the unit disk (center 0, radius 1, y down) so
 * the renderer can test coverage at any scale. The outlines are chosen to stay distinct at a few
 * pixels across: a square that fills 88% of the disk's width, a triangle with its apex up, and a
 * fat five-pointed star (inner radius 0.45, a little above the regular star's 0.38).
 */
public enum Shape {
    CIRCLE, SQUARE, TRIANGLE, STAR;

    private static final double SQUARE_HALF_SIDE = 0.88;
    private static final double[] TRIANGLE_XS = {0.0, 1.0, -1.0};
    private static final double[] TRIANGLE_YS = {-0.95, 0.8, 0.8};
    private static final double STAR_INNER_RADIUS = 0.45;
    private static final double[] STAR_XS = new double[10];
    private static final double[] STAR_YS = new double[10];

    static {
        for (int i = 0; i < 10; i++) {
            double radius = i % 2 == 0 ? 1.0 : STAR_INNER_RADIUS;
            double angle = -StrictMath.PI / 2 + i * StrictMath.PI / 5; // first point straight up
            STAR_XS[i] = radius * StrictMath.cos(angle);
            STAR_YS[i] = radius * StrictMath.sin(angle);
        }
    }

    /** The word used in captions. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the point (u, v) of the unit disk's frame (y down) lies inside the shape. */
    public boolean contains(double u, double v) {
        return switch (this) {
            case CIRCLE -> u * u + v * v <= 1.0;
            case SQUARE -> Math.abs(u) <= SQUARE_HALF_SIDE && Math.abs(v) <= SQUARE_HALF_SIDE;
            case TRIANGLE -> insidePolygon(TRIANGLE_XS, TRIANGLE_YS, u, v);
            case STAR -> insidePolygon(STAR_XS, STAR_YS, u, v);
        };
    }

    /** Even-odd ray casting: count the edges a ray from (u, v) towards +x crosses. */
    private static boolean insidePolygon(double[] xs, double[] ys, double u, double v) {
        boolean inside = false;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            if ((ys[i] > v) != (ys[j] > v)) {
                double crossingX = xs[i] + (v - ys[i]) * (xs[j] - xs[i]) / (ys[j] - ys[i]);
                if (u < crossingX) inside = !inside;
            }
        }
        return inside;
    }

    /** The shape named by a caption word, or an exception naming the word. */
    public static Shape fromWord(String word) {
        for (Shape shape : values()) if (shape.word().equals(word)) return shape;
        throw new IllegalArgumentException("unknown shape '" + word + "'");
    }
}
