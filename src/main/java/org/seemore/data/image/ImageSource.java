package org.seemore.data.image;

import java.nio.file.Path;

/** Where a record's image comes from; decoding happens later (off the training thread). */
public sealed interface ImageSource {
    /** A short name for error messages (a path, or the record that held the bytes). */
    String origin();

    /** An image file on disk (PNG, JPEG, GIF or BMP). */
    record FileImage(Path path) implements ImageSource {
        public String origin() { return path.toString(); }
    }

    /** Encoded image bytes, e.g. decoded from a base64 field. */
    record EncodedImage(String origin, byte[] bytes) implements ImageSource {}

    /** Pixels already in memory, e.g. a procedurally drawn scene. */
    record PixelImage(String origin, RgbImage image) implements ImageSource {}
}
