package org.seemore.data.image;

import org.seemore.UserException;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decodes PNG, JPEG, GIF and BMP images (detected from their bytes, not their names) into 8-bit
 * RGB with the same values as Pillow's {@code Image.open(f).convert("RGB")}: javax.imageio does the
 * decoding, {@link PilConversion} maps its rasters to RGB the way Pillow does, colour profiles are
 * ignored as Pillow ignores them, and only the first frame of an animated GIF is read.
 *
 * <p>Missing, unreadable, truncated, corrupt or unsupported images are {@link UserException}s
 * naming the file or the record the bytes came from.
 */
public final class ImageDecoder {
    /** Pillow refuses images above twice its decompression-bomb threshold of 89,478,485 pixels. */
    static final long MAX_PIXELS = 2L * 89_478_485;

    private ImageDecoder() {}

    /** The image's pixels as RGB; a {@link ImageSource.PixelImage} is returned as it is. */
    public static RgbImage decode(ImageSource source) {
        return switch (source) {
            case ImageSource.FileImage file -> decode(file.origin(), readFile(file));
            case ImageSource.EncodedImage encoded -> decode(encoded.origin(), encoded.bytes());
            case ImageSource.PixelImage pixels -> pixels.image();
        };
    }

    /** Decodes encoded image bytes; {@code origin} names them in error messages. */
    public static RgbImage decode(String origin, byte[] bytes) {
        Format format = Format.detect(bytes).orElseThrow(() -> new UserException(origin + ": "
                + (bytes.length == 0 ? "empty file, not an image" : "not a PNG, JPEG, GIF or BMP image (unrecognised header bytes)")));
        try {
            return read(origin, format, bytes);
        } catch (UserException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // javax.imageio reports corrupt data with IIOException but also with unchecked exceptions
            throw new UserException(origin + ": corrupt or unsupported " + format + " image: " + describe(e), e);
        }
    }

    /** The encodings this decoder reads, with the signature that identifies each. */
    enum Format {
        PNG("png"), JPEG("jpeg"), GIF("gif"), BMP("bmp");

        final String imageIoName;

        Format(String imageIoName) {
            this.imageIoName = imageIoName;
        }

        static Optional<Format> detect(byte[] b) {
            if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) return Optional.of(PNG);
            if (startsWith(b, 0xFF, 0xD8, 0xFF)) return Optional.of(JPEG);
            if (startsWith(b, 'G', 'I', 'F', '8', '7', 'a') || startsWith(b, 'G', 'I', 'F', '8', '9', 'a')) return Optional.of(GIF);
            if (startsWith(b, 'B', 'M')) return Optional.of(BMP);
            return Optional.empty();
        }

        private static boolean startsWith(byte[] bytes, int... signature) {
            if (bytes.length < signature.length) return false;
            for (int i = 0; i < signature.length; i++) {
                if ((bytes[i] & 0xFF) != signature[i]) return false;
            }
            return true;
        }
    }

    private static byte[] readFile(ImageSource.FileImage file) {
        try {
            return Files.readAllBytes(file.path());
        } catch (NoSuchFileException e) {
            throw new UserException(file.origin() + ": image file not found");
        } catch (AccessDeniedException e) {
            throw new UserException(file.origin() + ": permission denied reading image file");
        } catch (IOException e) {
            throw new UserException(file.origin() + ": cannot read image file: " + describe(e), e);
        }
    }

    private static RgbImage read(String origin, Format format, byte[] bytes) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName);
        if (!readers.hasNext()) throw new UserException(origin + ": this Java runtime has no " + format + " decoder");
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        try (ByteImageStream input = new ByteImageStream(format == Format.JPEG ? withoutIccProfile(bytes) : bytes)) {
            reader.setInput(input, true, format != Format.GIF);
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            if (pixels > MAX_PIXELS) {
                throw new UserException(origin + ": image of " + reader.getWidth(0) + "x" + reader.getHeight(0)
                        + " pixels is too large (limit " + MAX_PIXELS + " pixels, as in Pillow)");
            }
            BufferedImage image = reader.read(0);
            if (truncated(format, input, warnings)) {
                throw new UserException(origin + ": truncated " + format + " image (the file ends before the image data does)");
            }
            if (format == Format.GIF) image = GifScreen.placeFirstFrame(reader, image);
            return PilConversion.toRgb(image, sixteenBitGrayPng(format, bytes), origin);
        } finally {
            reader.dispose();
        }
    }

    /**
     * The JDK's JPEG reader converts from an embedded ICC profile to sRGB; Pillow never converts,
     * so the profile (APP2 "ICC_PROFILE" segments, all before the first scan) is cut out first.
     */
    static byte[] withoutIccProfile(byte[] jpeg) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, 2);   // SOI
        int at = 2;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xFF) == 0xFF) {
            int marker = jpeg[at + 1] & 0xFF;
            if (marker == 0xFF) {   // fill byte before a marker
                out.write(0xFF);
                at++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) break;
            int end = at + 2 + ((jpeg[at + 2] & 0xFF) << 8 | (jpeg[at + 3] & 0xFF));
            if (end > jpeg.length) break;   // a truncated header: leave it for the decoder to report
            if (!(marker == 0xE2 && startsWith(jpeg, at + 4, ICC_TAG))) out.write(jpeg, at, end - at);
            at = end;
        }
        if (out.size() == at) return jpeg;   // nothing was removed
        out.write(jpeg, at, jpeg.length - at);
        return out.toByteArray();
    }

    private static final byte[] ICC_TAG = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);

    private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
        return offset + prefix.length <= bytes.length
                && Arrays.equals(bytes, offset, offset + prefix.length, prefix, 0, prefix.length);
    }

    /**
     * PNG, GIF and BMP decoders here fill missing rows silently, so a read past the end means the
     * file was cut short; libjpeg instead warns (and pads with grey), and Pillow rejects both.
     */
    private static boolean truncated(Format format, ByteImageStream input, List<String> warnings) {
        if (format != Format.JPEG) return input.readPastEnd();
        for (String warning : warnings) {
            String text = warning.toLowerCase(Locale.ROOT);
            if (text.contains("premature end") || text.contains("missing eoi") || text.contains("truncated")) return true;
        }
        return false;
    }

    /** 16-bit greyscale PNGs open in Pillow as mode "I;16", whose RGB conversion clips instead of scaling. */
    private static boolean sixteenBitGrayPng(Format format, byte[] bytes) {
        // IHDR is the first chunk: bit depth at byte 24, colour type (0 = greyscale) at byte 25
        return format == Format.PNG && bytes.length > 25 && bytes[24] == 16 && bytes[25] == 0;
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        if (e instanceof IIOException && e.getCause() != null && e.getCause().getMessage() != null) {
            message = message + " (" + e.getCause().getMessage() + ")";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
