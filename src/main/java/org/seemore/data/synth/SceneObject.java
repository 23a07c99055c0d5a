package org.seemore.data.synth;

/** One object of a scene: what it is and which grid cell holds it; where exactly is the renderer's choice. */
public record SceneObject(Shape shape, Color color, Size size, Cell cell) {
    public SceneObject {
        if (shape == null || color == null || size == null || cell == null) {
            throw new IllegalArgumentException("a scene object needs a shape, color, size and cell");
        }
    }

    public ShapeColor shapeColor() {
        return new ShapeColor(shape, color);
    }

    /** e.g. "a large red circle at the top left". */
    public String phrase() {
        return "a " + size.word() + " " + color.word() + " " + shape.word() + " " + cell.phrase();
    }

    /** Parses {@link #phrase()} back, or throws an exception naming what is wrong. */
    public static SceneObject parse(String phrase) {
        String[] words = phrase.split(" ", 5);
        if (words.length != 5 || !words[0].equals("a")) {
            throw new IllegalArgumentException("expected 'a <size> <color> <shape> <position>', got '" + phrase + "'");
        }
        return new SceneObject(Shape.fromWord(words[3]), Color.fromWord(words[2]), Size.fromWord(words[1]),
                Cell.fromPhrase(words[4]));
    }
}
