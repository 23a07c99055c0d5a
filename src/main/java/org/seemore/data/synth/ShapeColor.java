package org.seemore.data.synth;

/** A (shape, color) combination, the unit the held-out split is defined over: e.g. "yellow circle". */
public record ShapeColor(Shape shape, Color color) {
    public ShapeColor {
        if (shape == null || color == null) throw new IllegalArgumentException("shape and color are both required");
    }

    @Override
    public String toString() {
        return color.word() + " " + shape.word();
    }
}
