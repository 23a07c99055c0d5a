package org.seemore.data.synth;

/**
 * The nine cells of the 3x3 grid an image is divided into, in reading order (the order objects are
 * listed in a caption), each with the phrase a caption uses for it.
 */
public enum Cell {
    TOP_LEFT(0, 0, "at the top left"),
    TOP(0, 1, "at the top"),
    TOP_RIGHT(0, 2, "at the top right"),
    LEFT(1, 0, "on the left"),
    CENTER(1, 1, "in the center"),
    RIGHT(1, 2, "on the right"),
    BOTTOM_LEFT(2, 0, "at the bottom left"),
    BOTTOM(2, 1, "at the bottom"),
    BOTTOM_RIGHT(2, 2, "at the bottom right");

    private final int row;
    private final int column;
    private final String phrase;

    Cell(int row, int column, String phrase) {
        this.row = row;
        this.column = column;
        this.phrase = phrase;
    }

    /** 0 (top) to 2 (bottom). */
    public int row() { return row; }

    /** 0 (left) to 2 (right). */
    public int column() { return column; }

    /** The words used in captions, e.g. "at the top left". */
    public String phrase() { return phrase; }

    /** The cell whose phrase this is, or an exception naming the phrase. */
    public static Cell fromPhrase(String phrase) {
        for (Cell cell : values()) if (cell.phrase.equals(phrase)) return cell;
        throw new IllegalArgumentException("unknown position '" + phrase + "'");
    }
}
