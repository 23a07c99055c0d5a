package org.seemore.parity.hf;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.seemore.UserException;
import org.seemore.data.image.ImageDecoder;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.RgbImage;
import org.seemore.data.image.hf.ImageProcessor;
import org.seemore.io.SafetensorsFile;
import org.seemore.parity.ParityReport;

/**
 * An image-processor folder ({@code preprocessor_config.json} and {@code cases.jsonl}, as the
 * fixtures' README describes them): for every case, the input decoded and run through
 * {@link ImageProcessor}: its resized size and crop offset, and its 8-bit image after resize and crop
 * byte for byte against the stored PNG (whose SHA-256 is checked first); where a case stores
 * {@code pixel_values}, the floats within 1e-5 (transformers' arithmetic, followed as written, gives
 * them bit for bit: a max difference of 0).
 */
public final class ImageProcessorFolderParity implements FolderParity {
    static final String CASES = "cases.jsonl", CONFIG = "preprocessor_config.json";
    /** pixel_values: one 8-bit level is at least 0.0078 there, so 1e-5 means the same 8-bit image and nearly the same floats. */
    static final double PIXEL_TOLERANCE = 1e-5;
    /** Where the fixtures' processor folders sit, to resolve their {@code image_folder} paths from. */
    private static final Path FIXTURE_HOME = Path.of("shared/fixtures/hf/image-processors");

    @Override
    public String kind() {
        return "image processor";
    }

    @Override
    public boolean accepts(Folder folder) {
        return folder.config().isEmpty() && folder.has(CASES) && folder.has(CONFIG);
    }

    @Override
    public ParityReport run(Folder folder) {
        ImageProcessor processor = ImageProcessor.load(folder.path());
        CaseFile cases = CaseFile.read(folder.path().resolve(CASES));
        ParityReport report = new ParityReport(folder.path(), "image processor");
        List<String> geometry = new ArrayList<>(), images = new ArrayList<>();
        for (CaseFile.Case c : cases.cases()) {
            String name = c.text("image");
            RgbImage input = ImageDecoder.decode(new ImageSource.FileImage(input(folder.path(), c)));
            ImageProcessor.Geometry g = processor.geometry(input.width(), input.height());
            if (c.has("resized_hw") && !java.util.Arrays.equals(c.ints("resized_hw"), new int[] {g.resizedHeight(), g.resizedWidth()})) {
                geometry.add(name + " resized to " + g.resizedHeight() + "x" + g.resizedWidth() + " (h x w)");
            }
            if (c.has("crop_top_left") && !java.util.Arrays.equals(c.ints("crop_top_left"), new int[] {g.cropTop(), g.cropLeft()})) {
                geometry.add(name + " cropped at " + g.cropTop() + "," + g.cropLeft());
            }
            Path pngFile = folder.path().resolve(c.text("uint8"));
            RgbImage expected = png(pngFile);
            if (c.has("uint8_sha256") && !sha256(expected.rgb()).equals(c.text("uint8_sha256"))) {
                throw new UserException(pngFile + ": its pixels do not match uint8_sha256 of " + cases.file() + ":" + c.line() + " (a corrupt file)");
            }
            RgbImage actual = processor.resizeAndCrop(input);
            if (actual.width() != expected.width() || actual.height() != expected.height()) {
                images.add(name + " is " + actual.width() + "x" + actual.height() + ", expected " + expected.width() + "x" + expected.height());
            } else {
                int differ = 0, worst = 0;
                for (int i = 0; i < actual.rgb().length; i++) {
                    int d = Math.abs((actual.rgb()[i] & 0xFF) - (expected.rgb()[i] & 0xFF));
                    if (d != 0) differ++;
                    worst = Math.max(worst, d);
                }
                if (differ > 0) images.add(name + ": " + differ + " bytes differ, by up to " + worst + " levels");
            }
            if (c.has("pixel_values")) {
                Path file = folder.path().resolve(c.text("pixel_values"));
                float[] reference = SafetensorsFile.read(file).floats("pixel_values." + name);
                float[] ours = processor.pixelValues(input);
                report.values("pixel_values." + name, reference, ours, PIXEL_TOLERANCE);
            }
        }
        report.cases("resized size and crop", cases.cases().size(), geometry);
        report.cases("8-bit image after resize and crop", cases.cases().size(), images);
        return report;
    }

    /**
     * The input file of a case: {@code image_folder} is a path in the shared fixtures (e.g.
     * {@code shared/fixtures/images}), taken relative to where this processor folder sits there;
     * else the folder itself and its parent's {@code images/} are tried.
     */
    static Path input(Path folder, CaseFile.Case c) {
        String image = c.text("image");
        Set<Path> tried = new LinkedHashSet<>();
        if (c.has("image_folder")) {
            Path declared = Path.of(c.text("image_folder"));
            if (declared.isAbsolute()) tried.add(declared.resolve(image));
            else if (declared.startsWith("shared")) tried.add(folder.resolve(FIXTURE_HOME.resolve(folder.getFileName()).relativize(declared)).resolve(image).normalize());
            else tried.add(folder.resolve(declared).resolve(image).normalize());
        }
        tried.add(folder.resolve(image));
        tried.add(folder.resolve("../images").resolve(image).normalize());
        for (Path p : tried) if (Files.isRegularFile(p)) return p;
        throw c.error("input image " + image + " not found (looked at " + String.join(", ", tried.stream().map(Path::toString).toList()) + ")");
    }

    /** An 8-bit RGB PNG's samples in (row, column, channel) order, read as the fixtures' README prescribes. */
    public static RgbImage png(Path file) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UserException(file + ": not a readable PNG: " + e.getMessage(), e);
        }
        if (image == null) throw new UserException(file + ": not an image (or a missing file)");
        if (image.getRaster().getNumBands() != 3) throw new UserException(file + ": expected an 8-bit RGB PNG, it has " + image.getRaster().getNumBands() + " channels");
        int w = image.getWidth(), h = image.getHeight();
        int[] samples = image.getRaster().getPixels(0, 0, w, h, (int[]) null);
        byte[] rgb = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) rgb[i] = (byte) samples[i];
        return new RgbImage(w, h, rgb);
    }

    /** SHA-256 of {@code bytes} in lowercase hex, as cases.jsonl's {@code uint8_sha256}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
