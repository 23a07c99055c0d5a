package org.seemore.data.synth;

/**
 * The dataset's splits. Train, validation and test share one distribution; held-out scenes each
 * contain at least one of {@link ShapesDataset#HELDOUT_PAIRS}, which the other splits never show.
 * Each split draws from its own random stream, so the size of one never changes another.
 */
public enum Split {
    TRAIN("train", 1),
    VALIDATION("val", 2),
    TEST("test", 3),
    HELDOUT("heldout", 4);

    private final String id;
    private final long stream;

    Split(String id, long stream) {
        this.id = id;
        this.stream = stream;
    }

    /** The name used on the command line, in file names and in example origins: train, val, test, heldout. */
    public String id() {
        return id;
    }

    /** The random stream this split is drawn from; fixed here so reordering the constants changes nothing. */
    long stream() {
        return stream;
    }

    /** The split with this {@link #id()}, or an exception listing the valid ids. */
    public static Split fromId(String id) {
        for (Split split : values()) if (split.id.equals(id)) return split;
        throw new IllegalArgumentException("unknown split '" + id + "' (expected train, val, test or heldout)");
    }
}
