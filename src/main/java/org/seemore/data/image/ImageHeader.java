package org.seemore.data.image;

import org.seemore.UserException;

import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Arrays;

/**
 * An image's size as its header states it, read without decoding any pixel: a cheap check, when a dataset
 * is loaded, that each record holds an image the decoder can open (a PNG, JPEG, GIF or BMP whose header
 * parses and whose size is within the limit). Corrupt pixel data further on is only found by decoding.
 */
public record ImageHeader(int width, int height) {
    private static final int SIGNATURE_BYTES = 8;

    /** Reads the header of {@code source}; a {@link UserException} naming its origin when it is not a readable image. */
    public static ImageHeader read(ImageSource source) {
        return switch (source) {
            case ImageSource.PixelImage pixels -> new ImageHeader(pixels.image().width(), pixels.image().height());
            case ImageSource.EncodedImage encoded -> read(encoded.origin(), encoded.bytes(), new ByteImageStream(encoded.bytes()));
            case ImageSource.FileImage file -> readFile(file);
        };
    }

    private static ImageHeader readFile(ImageSource.FileImage file) {
        try (ImageInputStream in = new FileImageInputStream(file.path().toFile())) {
            byte[] head = new byte[SIGNATURE_BYTES];
            int length = 0;
            for (int n; length < head.length && (n = in.read(head, length, head.length - length)) > 0; ) length += n;
            in.seek(0);
            return read(file.origin(), Arrays.copyOf(head, length), in);
        } catch (FileNotFoundException e) {
            throw new UserException(file.origin() + ": cannot open image file: " + e.getMessage());
        } catch (IOException e) {
            throw new UserException(file.origin() + ": cannot read image file: " + ImageDecoder.describe(e), e);
        }
    }

    private static ImageHeader read(String origin, byte[] head, ImageInputStream in) {
        ImageDecoder.Format format = ImageDecoder.formatOf(origin, head);
        ImageReader reader = ImageDecoder.readerFor(origin, format);
        try {
            reader.setInput(in, true, true);
            int width = reader.getWidth(0), height = reader.getHeight(0);
            ImageDecoder.checkPixelLimit(origin, width, height);
            return new ImageHeader(width, height);
        } catch (UserException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UserException(origin + ": corrupt or unsupported " + format + " image: " + ImageDecoder.describe(e), e);
        } finally {
            reader.dispose();
        }
    }
}
