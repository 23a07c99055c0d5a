package org.seemore.data.synth;

import java.util.Locale;

/**
 * The object colors: saturated and far apart in RGB (every pair differs by at least 90 in some
 * channel), while the background is a near-gray, so no object color can be read off the background.
 */
public enum Color {
    RED(215, 35, 35),
    GREEN(40, 175, 60),
    BLUE(40, 80, 230),
    YELLOW(235, 220, 40),
    PURPLE(145, 50, 200),
    ORANGE(245, 130, 20);

    private final int red;
    private final int green;
    private final int blue;

    Color(int red, int green, int blue) {
        this.red = red;
        this.green = green;
        this.blue = blue;
    }

    public int red() { return red; }

    public int green() { return green; }

    public int blue() { return blue; }

    /** The word used in captions. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The color whose reference RGB is nearest (Euclidean) to the given one. */
    public static Color nearest(int red, int green, int blue) {
        Color best = null;
        long bestDistance = Long.MAX_VALUE;
        for (Color color : values()) {
            long dr = red - color.red, dg = green - color.green, db = blue - color.blue;
            long distance = dr * dr + dg * dg + db * db;
            if (distance < bestDistance) {
                bestDistance = distance;
                best = color;
            }
        }
        return best;
    }

    /** The color named by a caption word, or an exception naming the word. */
    public static Color fromWord(String word) {
        for (Color color : values()) if (color.word().equals(word)) return color;
        throw new IllegalArgumentException("unknown color '" + word + "'");
    }
}
