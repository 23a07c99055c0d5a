package org.seemore.train.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.seemore.data.image.RgbImage;

/**
 * A contact sheet of captioned images: a grid of the images, scaled with nearest-neighbour
 * sampling into {@value #IMAGE_SIZE}-pixel squares so their pixels stay crisp, each with its
 * generated caption below, wrapped to the cell. A caption is green when it equals the truth and
 * red when it does not, with the truth in gray underneath; the header counts the exact matches.
 */
public final class ContactSheet {
    static final int IMAGE_SIZE = 128;
    static final int CELL_WIDTH = 184;
    static final int MARGIN = 14;
    static final int HEADER_HEIGHT = 40;
    static final int CAPTION_GAP = 6;
    static final int ROW_GAP = 16;
    static final int MAX_CAPTION_LINES = 6;
    static final Color MATCH = new Color(0, 135, 40);
    static final Color MISMATCH = new Color(205, 20, 20);
    static final Color TRUTH = new Color(120, 120, 120);
    static final Color BORDER = new Color(200, 200, 200);
    private static final Font CAPTION_FONT = ChartStyle.font(Font.PLAIN, 13);
    private static final Font TRUTH_FONT = ChartStyle.font(Font.ITALIC, 12);
    private static final Font HEADER_FONT = ChartStyle.font(Font.BOLD, 15);
    private static final int TEXT_WIDTH = CELL_WIDTH - 12;

    private ContactSheet() {}

    /**
     * One image with the caption the model generated and the reference caption.
     *
     * @param truth the reference caption, or null when there is none (the caption is then black)
     */
    public record Entry(RgbImage image, String generated, String truth) {
        public Entry {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(generated, "generated");
        }

        /** True when the generated caption equals the truth, ignoring leading and trailing spaces. */
        public boolean matches() {
            return truth != null && generated.strip().equals(truth.strip());
        }
    }

    /**
     * Writes the sheet to {@code png} with {@code columns} cells per row (fewer if there are fewer
     * entries), replacing it atomically.
     *
     * @throws IllegalArgumentException if {@code columns} is not positive
     * @throws org.seemore.UserException if the file cannot be written
     */
    public static void write(Path png, List<Entry> entries, int columns) {
        if (columns <= 0) throw new IllegalArgumentException("columns must be positive, got " + columns);
        PngFiles.ensureHeadless();
        PngFiles.write(png, render(entries, columns));
    }

    static BufferedImage render(List<Entry> entries, int columns) {
        int perRow = Math.max(1, Math.min(columns, entries.size()));
        int rows = (entries.size() + perRow - 1) / perRow;
        int width = 2 * MARGIN + perRow * CELL_WIDTH;

        // Text height varies with the captions, so lay the cells out before sizing the image.
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        List<Caption> captions = new ArrayList<>();
        for (Entry entry : entries) captions.add(Caption.of(entry, probe));
        probe.dispose();
        int[] rowTops = new int[rows + 1];
        rowTops[0] = HEADER_HEIGHT;
        for (int row = 0; row < rows; row++) {
            int text = 0;
            for (int i = row * perRow; i < Math.min(entries.size(), (row + 1) * perRow); i++) {
                text = Math.max(text, captions.get(i).height());
            }
            rowTops[row + 1] = rowTops[row] + IMAGE_SIZE + CAPTION_GAP + text + ROW_GAP;
        }
        int height = rowTops[rows] + MARGIN;

        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            drawHeader(g, entries, width);
            for (int i = 0; i < entries.size(); i++) {
                int x = MARGIN + (i % perRow) * CELL_WIDTH;
                int y = rowTops[i / perRow];
                drawImage(g, entries.get(i).image(), x + (CELL_WIDTH - IMAGE_SIZE) / 2, y);
                captions.get(i).draw(g, x + CELL_WIDTH / 2, y + IMAGE_SIZE + CAPTION_GAP);
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    private static void drawHeader(Graphics2D g, List<Entry> entries, int width) {
        String text;
        if (entries.isEmpty()) {
            text = "no captions";
        } else {
            long judged = entries.stream().filter(e -> e.truth() != null).count();
            long exact = entries.stream().filter(Entry::matches).count();
            text = judged == 0 ? entries.size() + " captions"
                    : String.format(Locale.ROOT, "%d of %d captions exact (%.0f%%)", exact, judged, 100.0 * exact / judged);
        }
        g.setFont(HEADER_FONT);
        g.setColor(Color.BLACK);
        FontMetrics metrics = g.getFontMetrics();
        g.drawString(text, Math.max(MARGIN, (width - metrics.stringWidth(text)) / 2), MARGIN + metrics.getAscent());
    }

    /** Draws {@code image} fitted into the square at (x, y), centred, with nearest-neighbour sampling. */
    private static void drawImage(Graphics2D g, RgbImage image, int x, int y) {
        double scale = Math.min((double) IMAGE_SIZE / image.width(), (double) IMAGE_SIZE / image.height());
        int w = Math.max(1, (int) Math.round(image.width() * scale));
        int h = Math.max(1, (int) Math.round(image.height() * scale));
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(toBuffered(image), x + (IMAGE_SIZE - w) / 2, y + (IMAGE_SIZE - h) / 2, w, h, null);
        g.setColor(BORDER);
        g.drawRect(x - 1, y - 1, IMAGE_SIZE + 1, IMAGE_SIZE + 1);
    }

    static BufferedImage toBuffered(RgbImage image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        byte[] rgb = image.rgb();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int i = (y * image.width() + x) * 3;
                out.setRGB(x, y, (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF));
            }
        }
        return out;
    }

    /** A cell's wrapped caption lines and, for a mismatch, the wrapped truth lines. */
    private record Caption(List<String> lines, Color color, List<String> truthLines, int lineHeight, int truthLineHeight) {
        static Caption of(Entry entry, Graphics2D g) {
            FontMetrics captionMetrics = g.getFontMetrics(CAPTION_FONT);
            FontMetrics truthMetrics = g.getFontMetrics(TRUTH_FONT);
            String generated = entry.generated().isBlank() ? "(empty caption)" : entry.generated();
            Color color = entry.truth() == null ? Color.BLACK : entry.matches() ? MATCH : MISMATCH;
            List<String> truthLines = entry.truth() == null || entry.matches() ? List.of()
                    : wrap("truth: " + entry.truth(), truthMetrics, TEXT_WIDTH);
            return new Caption(wrap(generated, captionMetrics, TEXT_WIDTH), color, truthLines,
                    captionMetrics.getHeight(), truthMetrics.getHeight());
        }

        int height() {
            return lines.size() * lineHeight + (truthLines.isEmpty() ? 0 : 2 + truthLines.size() * truthLineHeight);
        }

        /** Draws the lines centred on {@code centre}, the first line's top at {@code y}. */
        void draw(Graphics2D g, int centre, int y) {
            int top = y;
            g.setFont(CAPTION_FONT);
            g.setColor(color);
            FontMetrics metrics = g.getFontMetrics();
            for (String line : lines) {
                g.drawString(line, centre - metrics.stringWidth(line) / 2, top + metrics.getAscent());
                top += lineHeight;
            }
            top += 2;
            g.setFont(TRUTH_FONT);
            g.setColor(TRUTH);
            metrics = g.getFontMetrics();
            for (String line : truthLines) {
                g.drawString(line, centre - metrics.stringWidth(line) / 2, top + metrics.getAscent());
                top += truthLineHeight;
            }
        }
    }

    /**
     * Splits {@code text} into lines no wider than {@code width}, breaking at spaces, and inside a
     * word only when the word alone is too wide. Beyond {@link #MAX_CAPTION_LINES} the last line
     * ends in an ellipsis, so a runaway generation cannot stretch the sheet.
     */
    static List<String> wrap(String text, FontMetrics metrics, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (metrics.stringWidth(candidate) <= width) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            if (!line.isEmpty()) lines.add(line.toString());
            line.setLength(0);
            for (int c = 0; c < word.length(); ) {
                int end = c + 1;
                while (end < word.length() && metrics.stringWidth(word.substring(c, end + 1)) <= width) end++;
                if (end == word.length()) {
                    line.append(word, c, end);
                } else {
                    lines.add(word.substring(c, end));
                }
                c = end;
            }
        }
        if (!line.isEmpty()) lines.add(line.toString());
        if (lines.size() > MAX_CAPTION_LINES) {
            List<String> kept = new ArrayList<>(lines.subList(0, MAX_CAPTION_LINES));
            String last = kept.getLast();
            while (!last.isEmpty() && metrics.stringWidth(last + "…") > width) last = last.substring(0, last.length() - 1);
            kept.set(MAX_CAPTION_LINES - 1, last + "…");
            return kept;
        }
        return lines;
    }
}
