package org.seemore.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageDecoder;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.ImageTransform;
import org.seemore.data.image.Resize;
import org.seemore.data.image.RgbImage;
import org.seemore.generate.Sampler;
import org.seemore.generate.hf.HfModels;
import org.seemore.model.ModelDirectory;
import org.seemore.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seemore caption}: captions images with a trained model. */
@Command(name = "caption", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Caption images (PNG, JPEG, GIF, BMP) with a trained model.",
                "Each image is resized to the model's square S x S input (S is its config's img_size) with bilinear "
                        + "filtering, without keeping its aspect ratio: a wide image is squeezed, "
                        + "not cropped or padded. The alpha channel is dropped (transparent pixels keep their stored colour); an "
                        + "animated GIF gives its first frame, and images over 4096x4096 pixels are decimated while decoding. "
                        + "A warning is printed for an image more than " + ImageTransform.MAX_ASPECT_RATIO
                        + ":1 wide or tall, or enlarged more than 2x.",
                "A Hugging Face vision-language directory (LLaVA) preprocesses with its own preprocessor_config.json "
                        + "and puts the image and --prompt in a user turn of its chat template (a raw prompt without one)."},
        footer = {"%nAn image that cannot be read (missing, not an image, corrupt) does not stop the others: it is reported "
                + "on stderr (and, with --json, as {\"image\", \"error\"} in its place in the list).",
                "Exit status: 0 when every image was captioned (or, with --skip-bad, at least one); 1 when an image could "
                        + "not be read; 2 for bad flags or a bad model directory.%n"})
public final class CaptionCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model or run directory, or a Hugging Face vision-language model directory.")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Text the answer continues from (default: none).", defaultValue = "")
    String prompt;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    DtypeOption dtype;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Longest caption in tokens: characters for seemore's models (default: ${DEFAULT-VALUE}).", defaultValue = "200")
    int maxTokens;

    @Option(names = "--json", description = "Print a JSON list of {\"image\", \"caption\"} (or {\"image\", \"error\"}).")
    boolean json;

    @Option(names = "--skip-bad", description = "Leave out images that cannot be read, with a warning on stderr, and exit 0.")
    boolean skipBad;

    @Option(names = "--seed", paramLabel = "N", description = "Sampling seed (default: ${DEFAULT-VALUE}).", defaultValue = "1337")
    long seed;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        Sampler sampler = sampling.sampler();
        dtype.parse();
        if (maxTokens < 1) throw new UserException("--max-tokens must be positive");
        Map<Path, String> captions = new LinkedHashMap<>();
        Map<Path, String> errors = new LinkedHashMap<>();
        if (HfModels.isHuggingFace(model)) {
            HfCaption.caption(this, sampler, captions, errors);
        } else {
            dtype.checkOwnModel(model);
            captionWithOwnModel(sampler, captions, errors);
        }
        return report(captions, errors);
    }

    /** Reports a caption to stderr as seemore's commands do: skipped or not. */
    void unreadable(Path image, String message, Map<Path, String> errors) {
        errors.put(image, message);
        System.err.println("seemore caption: " + (skipBad ? "skipped " : "") + message);
    }

    private void captionWithOwnModel(Sampler sampler, Map<Path, String> captions, Map<Path, String> errors) {
        MemoryCheck.inference(model);
        ModelDirectory.Loaded loaded = ModelDirectory.load(model);
        ImageTransform transform = ImageTransform.imagenet(loaded.model().config().imageSize());
        // decoded one by one, so that a bad image is reported alone; kept at the model's size only
        List<Example> records = new ArrayList<>();
        for (Path p : images) {
            try {
                RgbImage image = ImageDecoder.decode(new ImageSource.FileImage(p));
                transform.distortion(image.width(), image.height())
                        .ifPresent(w -> System.err.println("seemore caption: warning: " + p + ": " + w));
                RgbImage resized = Resize.bilinear(image, transform.size(), transform.size());
                records.add(new Example(p.toString(), new ImageSource.PixelImage(p.toString(), resized), prompt, ""));
            } catch (UserException e) {
                unreadable(p, e.getMessage(), errors);
            }
        }
        Evaluator evaluator = new Evaluator(loaded.model(), loaded.tokenizer(), transform, 16);
        List<Evaluator.Sample> samples = records.isEmpty() ? List.of() : evaluator.caption(records, sampler, seed, maxTokens);
        for (Evaluator.Sample s : samples) captions.put(Path.of(s.example().origin()), s.generated());
    }

    /** Prints the captions (in the images' order) and returns the exit status. */
    private int report(Map<Path, String> captions, Map<Path, String> errors) throws Exception {
        if (json) {
            List<Map<String, String>> out = new ArrayList<>();
            for (Path p : images) {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("image", p.toString());
                if (errors.containsKey(p)) {
                    if (skipBad) continue;
                    row.put("error", withoutPrefix(errors.get(p), p + ": "));
                } else {
                    row.put("caption", captions.get(p));
                }
                out.add(row);
            }
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
        } else {
            for (Path p : images) if (captions.containsKey(p)) System.out.println(p + ": " + captions.get(p));
        }
        return errors.isEmpty() || (skipBad && !captions.isEmpty()) ? 0 : 1;
    }

    private static String withoutPrefix(String message, String prefix) {
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
