package org.seemore.train.plot;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;
import org.seemore.UserException;

/** Atomic PNG writing and the headless switch shared by every writer in this package. */
final class PngFiles {
    private PngFiles() {}

    /**
     * Makes AWT run without a display unless the caller chose otherwise. Must run before the first
     * use of a font or image: AWT reads the property once, when its graphics environment starts.
     */
    static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /**
     * Writes {@code image} to {@code png} through a temporary file in the same directory, so that a
     * reader sees either the previous file or the complete new one.
     */
    static void write(Path png, BufferedImage image) {
        Path absolute = png.toAbsolutePath();
        Path directory = absolute.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new UserException(png + ": cannot write plot: directory " + directory + " does not exist");
        }
        Path temp = null;
        try {
            temp = Files.createTempFile(directory, "." + absolute.getFileName() + ".", ".tmp");
            if (!ImageIO.write(image, "png", temp.toFile())) throw new IOException("no PNG encoder available");
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            throw new UserException(png + ": cannot write plot: " + oneLine(e), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original error matters more than a leftover temporary file
                }
            }
        }
    }

    private static String oneLine(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + " " + e.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ");
    }
}
