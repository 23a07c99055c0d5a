package org.seemore.data.synth;

import java.util.Locale;

/**
 * Object sizes, as the shape's diameter in units of a grid cell's side. Small is a little over half a cell so
 * that a small star or triangle still spans about 6 pixels in a 32x32 image; large nearly fills
 * its cell. The factor of two between them keeps size unambiguous despite the renderer's ±5% jitter.
 */
public enum Size {
    SMALL(0.65), LARGE(0.9);

    private final double cellFraction;

    Size(double cellFraction) {
        this.cellFraction = cellFraction;
    }

    /** The diameter as a fraction of the cell's side. */
    public double cellFraction() {
        return cellFraction;
    }

    /** The word used in captions. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The size named by a caption word, or an exception naming the word. */
    public static Size fromWord(String word) {
        for (Size size : values()) if (size.word().equals(word)) return size;
        throw new IllegalArgumentException("unknown size '" + word + "'");
    }
}
