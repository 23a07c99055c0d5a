package org.seemore.data.image;

import org.seemore.UserException;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
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
 * <p>Images of more than {@link #FULL_RESOLUTION_PIXELS} pixels (4096 x 4096) are decimated while
 * they are decoded: only every s-th pixel of every s-th row is kept, the smallest step s that brings them
 * within that budget, so that their full-size (often 16-bit) planes are never held; such an image is
 * downscaled to the model's input anyway, which then differs a little from Pillow's. Smaller images, and
 * GIFs of any size, are decoded whole and match Pillow exactly.
 *
 * <p>Missing, unreadable, truncated, corrupt or unsupported images are {@link UserException}s
 * naming the file or the record the bytes came from; so is running out of memory, with what it takes.
 */
public final class ImageDecoder {
    /** Pillow refuses images above twice its decompression-bomb threshold of 89,478,485 pixels. */
    static final long MAX_PIXELS = 2L * 89_478_485;
    /** Images up to this many pixels are decoded at full resolution; larger ones are decimated to fit it. */
    static final long FULL_RESOLUTION_PIXELS = 4096L * 4096;

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
        return decode(origin, bytes, FULL_RESOLUTION_PIXELS);
    }

    /** As {@link #decode(String, byte[])}, decimating images of more than {@code maxDecodedPixels} pixels. */
    static RgbImage decode(String origin, byte[] bytes, long maxDecodedPixels) {
        Format format = formatOf(origin, bytes);
        try {
            return read(origin, format, bytes, maxDecodedPixels);
        } catch (UserException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // javax.imageio reports corrupt data with IIOException but also with unchecked exceptions
            throw new UserException(origin + ": corrupt or unsupported " + format + " image: " + describe(e), e);
        }
    }

    /** The format {@code head} (the first bytes of an image, or all of them) starts like. */
    static Format formatOf(String origin, byte[] head) {
        return Format.detect(head).orElseThrow(() -> new UserException(origin + ": "
                + (head.length == 0 ? "empty file, not an image" : "not a PNG, JPEG, GIF or BMP image (unrecognised header bytes)")));
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

    /** The smallest step s such that keeping every s-th pixel of every s-th row leaves at most {@code budget} pixels. */
    static int subsamplingStep(int width, int height, long budget) {
        int step = (int) Math.max(1, Math.sqrt((double) width * height / budget));
        while (ceilDiv(width, step) * ceilDiv(height, step) > budget) step++;
        return step;
    }

    private static long ceilDiv(int size, int step) {
        return (size + (long) step - 1) / step;
    }

    private static RgbImage read(String origin, Format format, byte[] bytes, long maxDecodedPixels) throws IOException {
        ImageReader reader = readerFor(origin, format);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        try (ByteImageStream input = new ByteImageStream(format == Format.JPEG ? withoutIccProfile(bytes) : bytes)) {
            reader.setInput(input, true, format != Format.GIF);
            int width = reader.getWidth(0), height = reader.getHeight(0);
            checkPixelLimit(origin, width, height);
            // a GIF frame is placed on its screen at an offset, which decimation would have to follow
            int step = format == Format.GIF ? 1 : subsamplingStep(width, height, maxDecodedPixels);
            ImageReadParam param = reader.getDefaultReadParam();
            if (step > 1) param.setSourceSubsampling(step, step, 0, 0);
            try {
                BufferedImage image = reader.read(0, param);
                if (truncated(format, input, warnings)) {
                    throw new UserException(origin + ": truncated " + format + " image (the file ends before the image data does)");
                }
                if (format == Format.GIF) image = GifScreen.placeFirstFrame(reader, image);
                return PilConversion.toRgb(image, sixteenBitGrayPng(format, bytes), origin);
            } catch (OutOfMemoryError e) {
                throw notEnoughMemory(origin, format, reader, width, height, step);
            } catch (IOException | RuntimeException e) {
                // the PNG reader wraps an OutOfMemoryError in an IIOException ("Caught exception during read")
                for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                    if (cause instanceof OutOfMemoryError) throw notEnoughMemory(origin, format, reader, width, height, step);
                }
                throw e;
            }
        } finally {
            reader.dispose();
        }
    }

    static ImageReader readerFor(String origin, Format format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName);
        if (!readers.hasNext()) throw new UserException(origin + ": this Java runtime has no " + format + " decoder");
        return readers.next();
    }

    static void checkPixelLimit(String origin, int width, int height) {
        if ((long) width * height > MAX_PIXELS) {
            throw new UserException(origin + ": image of " + width + "x" + height
                    + " pixels is too large (limit " + MAX_PIXELS + " pixels, as in Pillow)");
        }
    }

    /** Says that memory ran out, roughly how much the decoded planes and the RGB copy take, and how to raise the limit. */
    private static UserException notEnoughMemory(String origin, Format format, ImageReader reader, int width, int height, int step) {
        long pixels = ceilDiv(width, step) * ceilDiv(height, step);
        long needed = pixels * (decodedBytesPerPixel(reader) + 3);
        long heap = Runtime.getRuntime().maxMemory();
        long suggestedGb = Math.max(1, (2 * (needed + heap) + (1L << 30) - 1) >> 30);
        return new UserException(origin + ": not enough memory to decode this " + width + "x" + height + " " + format
                + " image: it needs about " + (needed >> 20) + " MB and the Java heap is limited to " + (heap >> 20)
                + " MB; give Java a larger heap, e.g. SEEMORE_JAVA_OPTS=-Xmx" + suggestedGb + "g ./seemore ...");
    }

    /** Bytes per pixel of the decoder's own raster (16-bit RGBA: 8), or 4 when the reader cannot say. */
    private static long decodedBytesPerPixel(ImageReader reader) {
        try {
            ImageTypeSpecifier type = reader.getRawImageType(0);
            if (type == null) return 4;
            var sampleModel = type.getSampleModel(1, 1);
            return (long) sampleModel.getNumBands() * DataBuffer.getDataTypeSize(sampleModel.getDataType()) / 8;
        } catch (IOException | RuntimeException e) {
            return 4;
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

    static String describe(Exception e) {
        String message = e.getMessage();
        if (e instanceof IIOException && e.getCause() != null && e.getCause().getMessage() != null) {
            message = message + " (" + e.getCause().getMessage() + ")";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
