package org.seemore.spark;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.seemore.UserException;
import org.seemore.data.DataSource;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.RgbImage;

/**
 * What to caption, as rows {@code (id, image, prompt, reference)} with the encoded image bytes inline,
 * so executors need no access to the driver's files: a JSONL or CSV manifest (read by the core's
 * format readers), a folder of images, or Parquet with a binary image column.
 */
public final class CaptionInputs {
    /** The rows' schema; {@code reference} is null when the input has none. */
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("image", DataTypes.BinaryType, false)
            .add("prompt", DataTypes.StringType, false)
            .add("reference", DataTypes.StringType, true);

    private static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "gif", "bmp");

    private CaptionInputs() {}

    /**
     * @param data        a manifest ({@code .jsonl}, {@code .csv}), {@code synthetic:shapes[:SPLIT]}, a folder of
     *                    images, or a {@code .parquet} file or folder
     * @param imageColumn Parquet's binary image column
     */
    public static Dataset<Row> read(SparkSession spark, String data, String imageColumn, int imageSize) {
        requireExists(data);
        Path path = Path.of(data);
        if (data.endsWith(".parquet") || (Files.isDirectory(path) && hasParquet(path))) return parquet(spark, data, imageColumn);
        List<Row> rows = new ArrayList<>();
        if (!DataSource.isSynthetic(data) && Files.isDirectory(path)) {
            for (Path file : images(path)) rows.add(RowFactory.create(file.getFileName().toString(), bytes(file), "", null));
            if (rows.isEmpty()) throw new UserException(data + ": no images (" + String.join(", ", IMAGE_EXTENSIONS) + ") in the folder");
        } else {
            DataSource.Loaded loaded = DataSource.load(data, new DataSource.Options(Optional.empty(), null, false, imageSize, 0, 200, 1));
            for (Example e : loaded.examples()) {
                if (e.image() == null) throw new UserException(e.origin() + ": no image to caption");
                rows.add(RowFactory.create(e.origin(), encoded(e.image()), e.prompt(), e.answer()));
            }
        }
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** Refuses a {@code --data} path that does not exist (before a cluster is started for it). */
    public static void requireExists(String data) {
        if (!DataSource.isSynthetic(data) && !Files.exists(Path.of(data))) throw new UserException("--data " + data + ": no such file or folder");
    }

    private static Dataset<Row> parquet(SparkSession spark, String data, String imageColumn) {
        Dataset<Row> in = spark.read().parquet(data);
        List<String> columns = List.of(in.columns());
        if (!columns.contains(imageColumn)) {
            throw new UserException(data + ": no column '" + imageColumn + "' (columns: " + String.join(", ", columns) + "); name it with --image-column");
        }
        if (!in.schema().apply(imageColumn).dataType().equals(DataTypes.BinaryType)) {
            throw new UserException(data + ": column '" + imageColumn + "' is " + in.schema().apply(imageColumn).dataType().simpleString() + ", not binary");
        }
        var id = columns.contains("id") ? in.col("id").cast("string")
                : org.apache.spark.sql.functions.monotonically_increasing_id().cast("string");
        var prompt = columns.contains("prompt") ? in.col("prompt") : org.apache.spark.sql.functions.lit("");
        var reference = columns.contains("caption") ? in.col("caption") : org.apache.spark.sql.functions.lit(null).cast("string");
        return in.select(id.as("id"), in.col(imageColumn).as("image"), prompt.as("prompt"), reference.as("reference"));
    }

    private static boolean hasParquet(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"));
        } catch (IOException e) {
            throw new UserException(dir + ": cannot list: " + e.getMessage());
        }
    }

    private static List<Path> images(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                int dot = name.lastIndexOf('.');
                return Files.isRegularFile(f) && dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1));
            }).sorted().toList();
        } catch (IOException e) {
            throw new UserException(dir + ": cannot list: " + e.getMessage());
        }
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** A record's image as encoded bytes; drawn scenes are encoded as PNG. */
    static byte[] encoded(ImageSource source) {
        return switch (source) {
            case ImageSource.FileImage f -> bytes(f.path());
            case ImageSource.EncodedImage e -> e.bytes();
            case ImageSource.PixelImage p -> png(p.image());
        };
    }

    static byte[] png(RgbImage image) {
        BufferedImage buffered = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        byte[] rgb = image.rgb();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int i = 3 * (y * image.width() + x);
                buffered.setRGB(x, y, (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(buffered, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding in memory failed", e);
        }
        return out.toByteArray();
    }
}
