package org.seemore.data.format;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Base64;
import org.seemore.UserException;
import org.seemore.data.image.ImageHeader;
import org.seemore.data.image.ImageSource;

/**
 * Turns the image fields of a record into {@link ImageSource}s, checking what can be checked without
 * decoding pixels: that a file exists and is readable, that base64 text decodes to some bytes, and that
 * either is an image whose header the decoder reads ({@link ImageHeader}), so that a record that is not an
 * image is reported (or skipped) when the data is loaded rather than when training reaches it.
 */
final class ImageFields {
    private ImageFields() {}

    /** A file image at {@code path}, resolved against {@code imageRoot} unless it is absolute. */
    static ImageSource.FileImage file(Path imageRoot, String path) {
        if (path.isBlank()) throw new BadRecordException("the image path is empty");
        Path resolved;
        try {
            resolved = imageRoot.resolve(path).normalize();
        } catch (InvalidPathException e) {
            throw new BadRecordException("invalid image path " + Quoting.quote(path) + ": " + e.getReason());
        }
        if (!Files.exists(resolved)) throw new BadRecordException("image file not found: " + Quoting.path(resolved));
        if (!Files.isRegularFile(resolved)) throw new BadRecordException("image path is not a file: " + Quoting.path(resolved));
        if (!Files.isReadable(resolved)) throw new BadRecordException("image file is not readable: " + Quoting.path(resolved));
        return checkHeader(new ImageSource.FileImage(resolved), "image file " + Quoting.path(resolved));
    }

    /**
     * Encoded image bytes from base64 text. Whitespace (line breaks in wrapped base64) is ignored, as is a
     * {@code data:image/...;base64,} prefix; padding is optional.
     *
     * @param field the field name, for error messages
     */
    static ImageSource.EncodedImage base64(String origin, String field, String text) {
        String body = stripDataUri(text);
        if (body.isBlank()) throw new BadRecordException("'" + field + "' is empty");
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(withoutWhitespace(body));
        } catch (IllegalArgumentException e) {
            throw new BadRecordException("'" + field + "' is not valid base64: " + e.getMessage());
        }
        if (bytes.length == 0) throw new BadRecordException("'" + field + "' decodes to no bytes");
        return checkHeader(new ImageSource.EncodedImage(origin, bytes), "'" + field + "'");
    }

    /** The image, once its header reads; {@code what} names it in the message when it does not. */
    private static <T extends ImageSource> T checkHeader(T image, String what) {
        try {
            ImageHeader.read(image);
        } catch (UserException e) {
            String prefix = image.origin() + ": ";   // the sink names the file and line itself
            String reason = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
            throw new BadRecordException(what + " is not a usable image: " + reason);
        }
        return image;
    }

    private static String stripDataUri(String text) {
        if (!text.startsWith("data:")) return text;
        int marker = text.indexOf(";base64,");
        int comma = text.indexOf(',');
        if (marker < 0 || marker + ";base64".length() != comma) return text; // not a base64 data URI: let it fail
        return text.substring(comma + 1);
    }

    /** The text without ASCII whitespace; the same string when it has none (the usual, megabyte-sized case). */
    private static String withoutWhitespace(String text) {
        int first = 0;
        while (first < text.length() && !isWhitespace(text.charAt(first))) first++;
        if (first == text.length()) return text;
        StringBuilder out = new StringBuilder(text.length()).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isWhitespace(c)) out.append(c);
        }
        return out.toString();
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
