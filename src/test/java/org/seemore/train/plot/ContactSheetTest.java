package org.seemore.train.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.image.RgbImage;

class ContactSheetTest {
    @TempDir Path dir;

    static final int IMAGE_X = ContactSheet.MARGIN + (ContactSheet.CELL_WIDTH - ContactSheet.IMAGE_SIZE) / 2;
    static final int IMAGE_Y = ContactSheet.HEADER_HEIGHT;
    static final int TEXT_Y = IMAGE_Y + ContactSheet.IMAGE_SIZE + 1;

    @BeforeAll
    static void headless() {
        PngFiles.ensureHeadless();
    }

    static RgbImage solid(int width, int height, Color color) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++) {
            rgb[3 * i] = (byte) color.getRed();
            rgb[3 * i + 1] = (byte) color.getGreen();
            rgb[3 * i + 2] = (byte) color.getBlue();
        }
        return new RgbImage(width, height, rgb);
    }

    /** Bounding box {x0, y0, x1, y1} (exclusive end) of the pixels exactly {@code color}, or null. */
    static int[] bounds(BufferedImage image, Color color) {
        int[] box = {Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1};
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) != (color.getRGB() & 0xFFFFFF)) continue;
                box[0] = Math.min(box[0], x);
                box[1] = Math.min(box[1], y);
                box[2] = Math.max(box[2], x + 1);
                box[3] = Math.max(box[3], y + 1);
            }
        }
        return box[2] < 0 ? null : box;
    }

    @Test
    void imagesAreScaledIntoTheirCellsInRowMajorOrder() {
        Path png = dir.resolve("sheet.png");
        List<ContactSheet.Entry> entries = List.of(
                new ContactSheet.Entry(solid(8, 8, Color.RED), "a red square", "a red square"),
                new ContactSheet.Entry(solid(32, 32, Color.BLUE), "a blue square", "a blue square"),
                new ContactSheet.Entry(solid(16, 16, Color.MAGENTA), "a magenta square", "a magenta square"));
        ContactSheet.write(png, entries, 2);
        BufferedImage sheet = Pngs.read(png);
        int size = ContactSheet.IMAGE_SIZE;
        assertThat(sheet.getWidth()).isEqualTo(2 * ContactSheet.MARGIN + 2 * ContactSheet.CELL_WIDTH);
        assertThat(bounds(sheet, Color.RED)).containsExactly(IMAGE_X, IMAGE_Y, IMAGE_X + size, IMAGE_Y + size);
        int blueX = IMAGE_X + ContactSheet.CELL_WIDTH;
        assertThat(bounds(sheet, Color.BLUE)).containsExactly(blueX, IMAGE_Y, blueX + size, IMAGE_Y + size);
        int[] magenta = bounds(sheet, Color.MAGENTA);
        assertThat(magenta).isNotNull();
        assertThat(magenta[0]).as("second row, first column").isEqualTo(IMAGE_X);
        assertThat(magenta[1]).isGreaterThan(IMAGE_Y + size + 20);
        assertThat(magenta[2] - magenta[0]).isEqualTo(size);
        assertThat(sheet.getHeight()).isGreaterThan(magenta[3]);
    }

    @Test
    void scalingIsNearestNeighbourAndKeepsTheAspectRatio() {
        // A 2x1 image, red then blue: 64 columns of each, 64 rows centred in the 128 square.
        byte[] rgb = {(byte) 255, 0, 0, 0, 0, (byte) 255};
        BufferedImage sheet = ContactSheet.render(List.of(new ContactSheet.Entry(new RgbImage(2, 1, rgb), "x", "x")), 4);
        int half = ContactSheet.IMAGE_SIZE / 2;
        int top = IMAGE_Y + ContactSheet.IMAGE_SIZE / 4;
        assertThat(bounds(sheet, Color.RED)).containsExactly(IMAGE_X, top, IMAGE_X + half, top + half);
        assertThat(bounds(sheet, Color.BLUE)).containsExactly(IMAGE_X + half, top, IMAGE_X + 2 * half, top + half);
        assertThat(sheet.getWidth()).as("one entry, one column").isEqualTo(2 * ContactSheet.MARGIN + ContactSheet.CELL_WIDTH);
    }

    @Test
    void aMismatchingCaptionIsRedWithTheTruthInGray() {
        BufferedImage sheet = ContactSheet.render(
                List.of(new ContactSheet.Entry(solid(8, 8, Color.BLACK), "a big red circle", "a small blue square")), 3);
        int below = sheet.getHeight();
        assertThat(Pngs.count(sheet, ContactSheet.MISMATCH, 60, 0, TEXT_Y, sheet.getWidth(), below)).isGreaterThan(30);
        assertThat(Pngs.count(sheet, ContactSheet.MATCH, 60, 0, TEXT_Y, sheet.getWidth(), below)).isZero();
        assertThat(Pngs.count(sheet, ContactSheet.TRUTH, 25, 0, TEXT_Y, sheet.getWidth(), below)).isGreaterThan(10);
    }

    @Test
    void aMatchingCaptionIsGreenWithoutATruthLine() {
        BufferedImage sheet = ContactSheet.render(
                List.of(new ContactSheet.Entry(solid(8, 8, Color.BLACK), "a small blue square", "a small blue square ")), 3);
        int below = sheet.getHeight();
        assertThat(Pngs.count(sheet, ContactSheet.MATCH, 60, 0, TEXT_Y, sheet.getWidth(), below)).isGreaterThan(30);
        assertThat(Pngs.count(sheet, ContactSheet.MISMATCH, 60, 0, TEXT_Y, sheet.getWidth(), below)).isZero();
        assertThat(Pngs.count(sheet, ContactSheet.TRUTH, 25, 0, TEXT_Y, sheet.getWidth(), below)).isZero();
    }

    @Test
    void wrappedLinesFitTheCellAndRunawayCaptionsAreCut() {
        FontMetrics metrics = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics()
                .getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int width = 150;
        List<String> lines = ContactSheet.wrap("a small blue square above a large red circle", metrics, width);
        assertThat(lines).hasSizeGreaterThan(1);
        assertThat(String.join(" ", lines)).isEqualTo("a small blue square above a large red circle");
        lines.forEach(l -> assertThat(metrics.stringWidth(l)).isLessThanOrEqualTo(width));

        List<String> broken = ContactSheet.wrap("x".repeat(60) + " end", metrics, width);
        assertThat(broken).hasSizeGreaterThan(2);
        assertThat(String.join("", broken).replace(" ", "")).isEqualTo("x".repeat(60) + "end");
        broken.forEach(l -> assertThat(metrics.stringWidth(l)).isLessThanOrEqualTo(width));

        List<String> runaway = ContactSheet.wrap("word ".repeat(200), metrics, width);
        assertThat(runaway).hasSize(ContactSheet.MAX_CAPTION_LINES);
        assertThat(runaway.getLast()).endsWith("…");
        runaway.forEach(l -> assertThat(metrics.stringWidth(l)).isLessThanOrEqualTo(width));
    }

    @Test
    void anEmptySheetStillWritesAnImage() {
        Path png = dir.resolve("sheet.png");
        ContactSheet.write(png, List.of(), 4);
        BufferedImage sheet = Pngs.read(png);
        assertThat(Pngs.inkFraction(sheet)).isGreaterThan(0);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatThrownBy(() -> ContactSheet.write(dir.resolve("s.png"), List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("columns");
        assertThatThrownBy(() -> new ContactSheet.Entry(solid(1, 1, Color.RED), null, "x"))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void writingIntoAMissingDirectoryIsAUserExceptionNamingThePath() {
        Path png = dir.resolve("missing").resolve("sheet.png");
        List<ContactSheet.Entry> entries = List.of(new ContactSheet.Entry(solid(4, 4, Color.RED), "a", "b"));
        assertThatThrownBy(() -> ContactSheet.write(png, entries, 4))
                .isInstanceOf(UserException.class)
                .hasMessageContaining(png.toString());
    }
}
