package org.seemore.data.synth;

import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.RgbImage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The synthetic shapes captioning dataset: scenes of one or two objects (4 shapes x 6 colors x 2
 * sizes, each in its own cell of a 3x3 grid), drawn by {@link SceneRenderer} and captioned by
 * {@link Scene#caption()}, e.g. "a large red circle at the top left and a small blue star at the
 * bottom right".
 *
 * <p>Example {@code i} of a split is a pure function of (seed, image size, split, i): its random
 * stream is derived from the seed, the split and the index, so examples can be generated lazily, in
 * any order, and a prefix of a larger request equals a smaller one.
 *
 * <p>Train, validation and test scenes use the 20 (shape, color) pairs outside
 * {@link #HELDOUT_PAIRS}, uniformly; a scene has one or two objects with equal probability, sizes
 * and cells are uniform. Each held-out scene has a first object drawn from the held-out pairs and,
 * half the time, a second drawn from all 24 pairs: it tests whether the model composes a color
 * and a shape it has only seen apart.
 */
public final class ShapesDataset {
    private ShapesDataset() {}

    /**
     * The (shape, color) pairs never seen in train, validation or test: one per shape and no color
     * twice, so every shape and every color still appears in training with other partners.
     */
    public static final List<ShapeColor> HELDOUT_PAIRS = List.of(
            new ShapeColor(Shape.CIRCLE, Color.YELLOW),
            new ShapeColor(Shape.SQUARE, Color.BLUE),
            new ShapeColor(Shape.TRIANGLE, Color.ORANGE),
            new ShapeColor(Shape.STAR, Color.GREEN));

    /** The prompt every example carries: none, the model captions from the image alone. */
    public static final String PROMPT = "";

    private static final List<ShapeColor> ALL_PAIRS = allPairs();
    private static final List<ShapeColor> SEEN_PAIRS =
            ALL_PAIRS.stream().filter(pair -> !HELDOUT_PAIRS.contains(pair)).toList();

    /** Examples 0 to count-1 of a split. */
    public static List<Example> generate(ShapesConfig config, Split split, int count) {
        if (count < 0) throw new IllegalArgumentException("count must be non-negative, got " + count);
        List<Example> examples = new ArrayList<>(count);
        for (int index = 0; index < count; index++) examples.add(example(config, split, index));
        return examples;
    }

    /** Example {@code index} of a split, with origin "synthetic:shapes/&lt;split&gt;#&lt;index&gt;". */
    public static Example example(ShapesConfig config, Split split, int index) {
        Sample sample = sample(config, split, index);
        String origin = "synthetic:shapes/" + split.id() + "#" + index;
        return new Example(origin, new ImageSource.PixelImage(origin, sample.image()), PROMPT, sample.scene().caption());
    }

    /** A scene together with its rendering, for callers that want the structured truth. */
    public record Sample(Scene scene, RgbImage image) {}

    /** Example {@code index} of a split as its scene and image. */
    public static Sample sample(ShapesConfig config, Split split, int index) {
        if (index < 0) throw new IllegalArgumentException("index must be non-negative, got " + index);
        SplitMix64 rng = random(config, split, index);
        Scene scene = scene(split, rng);
        return new Sample(scene, SceneRenderer.render(scene, config.imageSize(), rng));
    }

    /** The generator example {@code index} of a split starts from (first the scene, then the rendering). */
    static SplitMix64 random(ShapesConfig config, Split split, int index) {
        return new SplitMix64(SplitMix64.derive(SplitMix64.derive(config.seed(), split.stream()), index));
    }

    /** Draws a scene's content; see the class comment for the distribution. */
    static Scene scene(Split split, SplitMix64 rng) {
        int count = 1 + rng.nextInt(2);
        List<Cell> freeCells = new ArrayList<>(List.of(Cell.values()));
        List<SceneObject> objects = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<ShapeColor> pairs = split != Split.HELDOUT ? SEEN_PAIRS : i == 0 ? HELDOUT_PAIRS : ALL_PAIRS;
            ShapeColor pair = pairs.get(rng.nextInt(pairs.size()));
            Size size = Size.values()[rng.nextInt(Size.values().length)];
            Cell cell = freeCells.remove(rng.nextInt(freeCells.size()));
            objects.add(new SceneObject(pair.shape(), pair.color(), size, cell));
        }
        return new Scene(objects);
    }

    /** Every word a caption can use, sorted. */
    public static Set<String> vocabulary() {
        Set<String> words = new TreeSet<>(List.of("a", "and"));
        for (Shape shape : Shape.values()) words.add(shape.word());
        for (Color color : Color.values()) words.add(color.word());
        for (Size size : Size.values()) words.add(size.word());
        for (Cell cell : Cell.values()) words.addAll(List.of(cell.phrase().split(" ")));
        return words;
    }

    private static List<ShapeColor> allPairs() {
        List<ShapeColor> pairs = new ArrayList<>();
        for (Shape shape : Shape.values()) for (Color color : Color.values()) pairs.add(new ShapeColor(shape, color));
        return List.copyOf(pairs);
    }
}
