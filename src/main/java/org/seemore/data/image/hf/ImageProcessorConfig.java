package org.seemore.data.image.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.seemore.UserException;
import org.seemore.data.image.ResampleFilter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Hugging Face {@code preprocessor_config.json} for {@code CLIPImageProcessor} or
 * {@code SiglipImageProcessor}, with transformers' defaults for every key the file leaves out or
 * sets to {@code null} (as {@code from_pretrained} fills them in).
 *
 * <p>Older files (written as {@code CLIPFeatureExtractor}) name the class in
 * {@code feature_extractor_type} and hold {@code "size": 336} and {@code "crop_size": 336} as plain
 * integers; transformers reads those as {@code {"shortest_edge": 336}} and a 336 x 336 crop
 * ({@code get_size_dict}), and so does this. Keys neither processor reads (such as
 * {@code processor_class}) are ignored, as transformers ignores them.
 *
 * @param processor     which processor the file is for
 * @param doResize      resize first (step 2-3)
 * @param size          the resize target: the shortest edge, or a fixed height and width
 * @param resample      Pillow's filter for the resize
 * @param doCenterCrop  crop the centre {@code cropHeight x cropWidth} (CLIP only; SigLIP never crops)
 * @param doRescale     multiply the 8-bit values by {@code rescaleFactor}
 * @param doNormalize   subtract {@code imageMean} and divide by {@code imageStd}, per channel
 * @param doConvertRgb  the file's flag; images always reach the processor as Pillow's RGB (see {@link ImageProcessor})
 */
public record ImageProcessorConfig(Processor processor, boolean doResize, Size size, ResampleFilter resample,
                                   boolean doCenterCrop, int cropHeight, int cropWidth, boolean doRescale,
                                   double rescaleFactor, boolean doNormalize, double[] imageMean, double[] imageStd,
                                   boolean doConvertRgb) {

    /** The processor classes this reads, with the class name a config file uses. */
    public enum Processor {
        CLIP("CLIPImageProcessor"), SIGLIP("SiglipImageProcessor");

        private final String className;

        Processor(String className) {
            this.className = className;
        }

        public String className() {
            return className;
        }
    }

    /** The resize target of step 2. */
    public sealed interface Size {
        /** CLIP: the short side becomes {@code edge}, the long side keeps the aspect ratio, truncated. */
        record ShortestEdge(int edge) implements Size {}

        /** A fixed size (SigLIP always; CLIP when its {@code size} holds height and width). */
        record Fixed(int height, int width) implements Size {}
    }

    /** OpenAI CLIP's statistics (transformers' {@code OPENAI_CLIP_MEAN}, {@code OPENAI_CLIP_STD}), the CLIP defaults. */
    static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    /** transformers' {@code IMAGENET_STANDARD_MEAN} and {@code _STD}, the SigLIP defaults. */
    static final double[] HALF = {0.5, 0.5, 0.5};

    private static final ObjectMapper JSON = new ObjectMapper();

    public ImageProcessorConfig {
        if (size instanceof Size.ShortestEdge edge && edge.edge() <= 0
                || size instanceof Size.Fixed fixed && (fixed.height() <= 0 || fixed.width() <= 0)) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        if (doCenterCrop && (cropHeight <= 0 || cropWidth <= 0)) {
            throw new IllegalArgumentException("crop size must be positive: " + cropHeight + "x" + cropWidth);
        }
        if (imageMean.length != 3 || imageStd.length != 3) throw new IllegalArgumentException("image_mean and image_std need 3 values (R, G, B)");
        for (double s : imageStd) {
            if (s == 0 || !Double.isFinite(s)) throw new IllegalArgumentException("image_std values must be finite and non-zero: " + Arrays.toString(imageStd));
        }
        imageMean = imageMean.clone();
        imageStd = imageStd.clone();
    }

    @Override
    public double[] imageMean() {
        return imageMean.clone();
    }

    @Override
    public double[] imageStd() {
        return imageStd.clone();
    }

    /** Reads and validates {@code file}; every problem is a one-line {@link UserException} naming the file and the key. */
    public static ImageProcessorConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": no such file (an image processor's preprocessor_config.json)");
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses the text of a {@code preprocessor_config.json}; {@code origin} names it in errors. */
    public static ImageProcessorConfig parse(String text, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UserException(origin + ": not valid JSON (line " + e.getLocation().getLineNr() + "): " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) throw new UserException(origin + ": not a JSON object");
        Keys keys = new Keys(root, origin);
        Processor processor = processorOf(keys);
        boolean clip = processor == Processor.CLIP;

        Size size = clip ? clipSize(keys) : siglipSize(keys);
        boolean doCenterCrop = clip && keys.bool("do_center_crop", true);
        int[] crop = clip ? cropSize(keys) : new int[] {0, 0};
        ResampleFilter resample = keys.isSet("resample")
                ? ResampleFilter.fromPillowCode(keys.integer("resample"), origin)
                : ResampleFilter.BICUBIC;
        return new ImageProcessorConfig(processor, keys.bool("do_resize", true), size, resample, doCenterCrop, crop[0], crop[1],
                keys.bool("do_rescale", true), keys.number("rescale_factor", 1.0 / 255),
                keys.bool("do_normalize", true), keys.channels("image_mean", clip ? CLIP_MEAN : HALF),
                keys.channels("image_std", clip ? CLIP_STD : HALF), keys.bool("do_convert_rgb", clip));
    }

    /** {@code image_processor_type}, else the older {@code feature_extractor_type}; a Fast variant reads the same keys. */
    private static Processor processorOf(Keys keys) {
        String key = keys.isSet("image_processor_type") ? "image_processor_type" : "feature_extractor_type";
        if (!keys.isSet(key)) {
            throw new UserException(keys.origin + ": no image_processor_type (or feature_extractor_type): cannot tell which image processor this is");
        }
        String name = keys.text(key);
        String normalized = name.replace("FeatureExtractor", "ImageProcessor");
        if (normalized.endsWith("Fast")) normalized = normalized.substring(0, normalized.length() - "Fast".length());
        for (Processor processor : Processor.values()) {
            if (processor.className.equals(normalized)) return processor;
        }
        throw new UserException(keys.origin + ": " + key + " \"" + name + "\" is not supported; seemore reads CLIPImageProcessor and SiglipImageProcessor");
    }

    /** CLIP's {@code size}: an integer or {@code {"shortest_edge"}} (an extra {@code longest_edge} is ignored, as CLIP does), or {@code {"height", "width"}}. */
    private static Size clipSize(Keys keys) {
        if (!keys.isSet("size")) return new Size.ShortestEdge(224);
        JsonNode node = keys.root.get("size");
        if (node.isIntegralNumber()) return new Size.ShortestEdge(keys.positive("size", node));
        Set<String> fields = keys.fields("size");
        if (fields.equals(Set.of("shortest_edge")) || fields.equals(Set.of("shortest_edge", "longest_edge"))) {
            return new Size.ShortestEdge(keys.positive("size.shortest_edge", node.get("shortest_edge")));
        }
        if (fields.equals(Set.of("height", "width"))) {
            return new Size.Fixed(keys.positive("size.height", node.get("height")), keys.positive("size.width", node.get("width")));
        }
        throw new UserException(keys.origin + ": size must be an integer, {\"shortest_edge\": n} or {\"height\": h, \"width\": w}, got " + node);
    }

    /** SigLIP's {@code size}: {@code {"height", "width"}} only (transformers 4.45 fails on any other form). */
    private static Size siglipSize(Keys keys) {
        if (!keys.isSet("size")) return new Size.Fixed(224, 224);
        JsonNode node = keys.root.get("size");
        if (!node.isObject() || !keys.fields("size").equals(Set.of("height", "width"))) {
            throw new UserException(keys.origin + ": size must be {\"height\": h, \"width\": w} for SiglipImageProcessor, got " + node);
        }
        return new Size.Fixed(keys.positive("size.height", node.get("height")), keys.positive("size.width", node.get("width")));
    }

    /** CLIP's {@code crop_size}: an integer (a square) or {@code {"height", "width"}}; {height, width}. */
    private static int[] cropSize(Keys keys) {
        if (!keys.isSet("crop_size")) return new int[] {224, 224};
        JsonNode node = keys.root.get("crop_size");
        if (node.isIntegralNumber()) {
            int side = keys.positive("crop_size", node);
            return new int[] {side, side};
        }
        if (!node.isObject() || !keys.fields("crop_size").equals(Set.of("height", "width"))) {
            throw new UserException(keys.origin + ": crop_size must be an integer or {\"height\": h, \"width\": w}, got " + node);
        }
        return new int[] {keys.positive("crop_size.height", node.get("height")), keys.positive("crop_size.width", node.get("width"))};
    }

    /** Typed access to the top-level keys; {@code null} counts as absent, as transformers falls back to the default. */
    private record Keys(JsonNode root, String origin) {
        boolean isSet(String key) {
            JsonNode node = root.get(key);
            return node != null && !node.isNull();
        }

        boolean bool(String key, boolean fallback) {
            if (!isSet(key)) return fallback;
            JsonNode node = root.get(key);
            if (!node.isBoolean()) throw new UserException(origin + ": " + key + " must be true, false or null, got " + node);
            return node.booleanValue();
        }

        String text(String key) {
            JsonNode node = root.get(key);
            if (!node.isTextual()) throw new UserException(origin + ": " + key + " must be a string, got " + node);
            return node.textValue();
        }

        int integer(String key) {
            JsonNode node = root.get(key);
            if (!node.isIntegralNumber() || !node.canConvertToInt()) throw new UserException(origin + ": " + key + " must be an integer, got " + node);
            return node.intValue();
        }

        int positive(String key, JsonNode node) {
            if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() <= 0) {
                throw new UserException(origin + ": " + key + " must be a positive integer, got " + node);
            }
            return node.intValue();
        }

        double number(String key, double fallback) {
            if (!isSet(key)) return fallback;
            JsonNode node = root.get(key);
            if (!node.isNumber() || !Double.isFinite(node.doubleValue())) throw new UserException(origin + ": " + key + " must be a number, got " + node);
            return node.doubleValue();
        }

        /** One number per channel, or a single number for all three (transformers' {@code normalize} repeats it). */
        double[] channels(String key, double[] fallback) {
            if (!isSet(key)) return fallback.clone();
            JsonNode node = root.get(key);
            double[] values;
            if (node.isNumber()) {
                values = new double[] {node.doubleValue(), node.doubleValue(), node.doubleValue()};
            } else if (node.isArray() && node.size() == 3) {
                values = new double[3];
                for (int c = 0; c < 3; c++) {
                    if (!node.get(c).isNumber()) throw new UserException(origin + ": " + key + " must hold numbers, got " + node);
                    values[c] = node.get(c).doubleValue();
                }
            } else {
                throw new UserException(origin + ": " + key + " must be 3 numbers (R, G, B), got " + node);
            }
            for (double v : values) {
                if (!Double.isFinite(v)) throw new UserException(origin + ": " + key + " must be finite, got " + node);
                if (key.equals("image_std") && v == 0) throw new UserException(origin + ": image_std must not be 0 (it divides), got " + node);
            }
            return values;
        }

        /** The field names of an object-valued key. */
        Set<String> fields(String key) {
            JsonNode node = root.get(key);
            Set<String> names = new TreeSet<>();
            node.fieldNames().forEachRemaining(names::add);
            return names;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ImageProcessorConfig that && processor == that.processor && doResize == that.doResize
                && size.equals(that.size) && resample == that.resample && doCenterCrop == that.doCenterCrop
                && cropHeight == that.cropHeight && cropWidth == that.cropWidth && doRescale == that.doRescale
                && Double.compare(rescaleFactor, that.rescaleFactor) == 0 && doNormalize == that.doNormalize
                && Arrays.equals(imageMean, that.imageMean) && Arrays.equals(imageStd, that.imageStd)
                && doConvertRgb == that.doConvertRgb;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * processor.hashCode() + size.hashCode()) + Arrays.hashCode(imageMean);
    }

    @Override
    public String toString() {
        return processor.className + "[size=" + size + ", resample=" + resample + ", doResize=" + doResize
                + ", doCenterCrop=" + doCenterCrop + (doCenterCrop ? " " + cropHeight + "x" + cropWidth : "")
                + ", doRescale=" + doRescale + " " + rescaleFactor + ", doNormalize=" + doNormalize
                + " mean=" + Arrays.toString(imageMean) + " std=" + Arrays.toString(imageStd) + ", doConvertRgb=" + doConvertRgb + "]";
    }
}
