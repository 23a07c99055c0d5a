package org.seemore.data.synth;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What an image shows: one or more objects, each in its own grid cell, so none hides another. The
 * objects are kept in the reading order of their cells, which makes the caption a function of the
 * image alone.
 */
public record Scene(List<SceneObject> objects) {
    private static final String SEPARATOR = " and ";

    public Scene {
        if (objects == null || objects.isEmpty()) throw new IllegalArgumentException("a scene needs at least one object");
        Set<Cell> cells = EnumSet.noneOf(Cell.class);
        for (SceneObject object : objects) {
            if (!cells.add(object.cell())) {
                throw new IllegalArgumentException("two objects share the cell " + object.cell() + ": " + objects);
            }
        }
        List<SceneObject> sorted = new ArrayList<>(objects);
        sorted.sort(Comparator.comparing(SceneObject::cell));
        objects = List.copyOf(sorted);
    }

    public static Scene of(SceneObject... objects) {
        return new Scene(List.of(objects));
    }

    /** e.g. "a large red circle at the top left and a small blue star at the bottom right". */
    public String caption() {
        List<String> phrases = objects.stream().map(SceneObject::phrase).toList();
        return String.join(SEPARATOR, phrases);
    }

    /** Parses {@link #caption()} back, or throws an IllegalArgumentException naming what is wrong. */
    public static Scene parse(String caption) {
        List<SceneObject> objects = new ArrayList<>();
        for (String phrase : caption.strip().split(SEPARATOR, -1)) objects.add(SceneObject.parse(phrase));
        return new Scene(objects);
    }

    public boolean contains(ShapeColor shapeColor) {
        return objects.stream().anyMatch(object -> object.shapeColor().equals(shapeColor));
    }
}
