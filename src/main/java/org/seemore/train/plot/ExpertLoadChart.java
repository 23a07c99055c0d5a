package org.seemore.train.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StackedXYAreaRenderer2;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.AbstractXYDataset;
import org.jfree.data.xy.TableXYDataset;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The expert-load chart: one panel per MoE layer, each expert's share of the layer's routed tokens
 * stacked from 0 to 100%, averaged over windows of steps ({@link ExpertShares}). Dashed lines sit
 * where the band edges would be under perfect balance (every expert 1/E), so a balanced router shows
 * bands that follow them, and a collapsing one a band that thins away (an expert starved) or widens
 * (an expert taking over). Each panel's subtitle names the least and most loaded expert of the last
 * window, in red when one is starved or dominant. An expert keeps its colour in every panel.
 */
public final class ExpertLoadChart {
    static final String TITLE = "expert load per layer";
    static final int TITLE_HEIGHT = 62;
    static final int MARGIN = 10;
    static final int LEGEND_ROW_HEIGHT = 22;
    /** Below this fraction of the balanced share an expert counts as starved in a panel's subtitle. */
    static final double STARVED = 0.25;
    /** Above this multiple of the balanced share an expert counts as dominant. */
    static final double DOMINANT = 2.0;
    private static final Color GUIDE = new Color(30, 30, 30, 150);
    private static final BasicStroke GUIDE_STROKE = new BasicStroke(1.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
            10f, new float[] {5f, 4f}, 0f);
    private static final Color ALERT = new Color(200, 20, 20);
    private static final int SWATCH = 14;
    private static final int LEGEND_GAP = 18;

    private ExpertLoadChart() {}

    /**
     * Writes the chart to {@code png}, replacing it atomically. {@code load.get(i)[layer][expert]}
     * is the load of {@code expert} in {@code layer} at {@code steps.get(i)} (ascending): any
     * non-negative measure, since each step's loads are divided by their sum. Every entry must have
     * the same number of layers and experts. No steps gives a "no data" chart.
     *
     * @throws IllegalArgumentException if the lists differ in length or the arrays in shape
     * @throws org.seemore.UserException if the file cannot be written
     */
    public static void write(Path png, List<Long> steps, List<double[][]> load) {
        PngFiles.ensureHeadless();
        PngFiles.write(png, render(steps, load));
    }

    static BufferedImage render(List<Long> steps, List<double[][]> load) {
        int[] shape = validate(steps, load);
        if (steps.isEmpty()) return noData();
        int layers = shape[0];
        int experts = shape[1];
        int columns = columns(layers);
        int rows = (layers + columns - 1) / columns;
        int panelWidth = layers == 1 ? 880 : 440;
        int panelHeight = layers == 1 ? 420 : 300;
        int width = 2 * MARGIN + columns * panelWidth;

        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int legendRows = legendRows(probe, experts, width - 2 * MARGIN);
        probe.dispose();
        int height = TITLE_HEIGHT + rows * panelHeight + legendRows * LEGEND_ROW_HEIGHT + 2 * MARGIN;

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            int window = ExpertShares.window(load.size(), ExpertShares.MAX_POINTS);
            drawTitle(g, width, window, experts);
            for (int layer = 0; layer < layers; layer++) {
                JFreeChart panel = panel(layer, ExpertShares.of(steps, load, layer, ExpertShares.MAX_POINTS));
                double x = MARGIN + (layer % columns) * panelWidth;
                double y = TITLE_HEIGHT + (layer / columns) * panelHeight;
                panel.draw(g, new Rectangle2D.Double(x, y, panelWidth, panelHeight));
            }
            drawLegend(g, experts, MARGIN, TITLE_HEIGHT + rows * panelHeight + MARGIN / 2, width - 2 * MARGIN);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Panels per row: one or two side by side, then two, three or four columns. */
    static int columns(int layers) {
        if (layers <= 2) return layers;
        if (layers <= 4) return 2;
        if (layers <= 6) return 3;
        return 4;
    }

    private static int[] validate(List<Long> steps, List<double[][]> load) {
        if (steps.size() != load.size()) {
            throw new IllegalArgumentException("got " + steps.size() + " steps but " + load.size() + " load entries");
        }
        if (load.isEmpty()) return new int[] {0, 0};
        int layers = load.getFirst().length;
        if (layers == 0) throw new IllegalArgumentException("load entries need at least one layer");
        int experts = load.getFirst()[0].length;
        if (experts == 0) throw new IllegalArgumentException("load entries need at least one expert");
        for (int i = 0; i < load.size(); i++) {
            double[][] entry = load.get(i);
            if (entry.length != layers) {
                throw new IllegalArgumentException("load entry " + i + " has " + entry.length + " layers, expected " + layers);
            }
            for (int layer = 0; layer < layers; layer++) {
                if (entry[layer].length != experts) {
                    throw new IllegalArgumentException("load entry " + i + " layer " + layer + " has "
                            + entry[layer].length + " experts, expected " + experts);
                }
            }
        }
        return new int[] {layers, experts};
    }

    private static void drawTitle(Graphics2D g, int width, int window, int experts) {
        g.setColor(Color.BLACK);
        g.setFont(ChartStyle.font(Font.BOLD, 18));
        FontMetrics metrics = g.getFontMetrics();
        int baseline = MARGIN + metrics.getAscent() + 4;
        g.drawString(TITLE, (width - metrics.stringWidth(TITLE)) / 2, baseline);
        String note = "each expert's share of the routed tokens, " + (window == 1 ? "per step" : "mean of every " + window + " steps")
                + "; dashed: perfect balance (1/" + experts + " each)";
        g.setFont(ChartStyle.font(Font.PLAIN, 12));
        g.setColor(Color.DARK_GRAY);
        FontMetrics small = g.getFontMetrics();
        g.drawString(note, (width - small.stringWidth(note)) / 2, baseline + small.getHeight() + 4);
    }

    static JFreeChart panel(int layer, ExpertShares shares) {
        int experts = shares.experts();
        NumberAxis stepAxis = new NumberAxis("step");
        stepAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        stepAxis.setAutoRangeIncludesZero(false);
        stepAxis.setLowerMargin(0);
        stepAxis.setUpperMargin(0);
        NumberAxis shareAxis = new NumberAxis("share of tokens");
        shareAxis.setRange(0, 1);
        shareAxis.setTickUnit(new NumberTickUnit(0.25, NumberFormat.getPercentInstance(Locale.ROOT)));
        XYPlot plot = new XYPlot(new SharesDataset(shares), stepAxis, shareAxis, null);
        plot.setNoDataMessage("no finite load");
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        for (int k = 1; k < experts; k++) {
            plot.addRangeMarker(new ValueMarker((double) k / experts, GUIDE, GUIDE_STROKE));
        }

        JFreeChart chart = new JFreeChart("layer " + layer, ChartStyle.font(Font.BOLD, 13), plot, false);
        ChartStyle.apply(chart);
        chart.getTitle().setFont(ChartStyle.font(Font.BOLD, 13));
        if (shares.points() > 0) chart.addSubtitle(endNote(shares));
        StackedXYAreaRenderer2 renderer = new StackedXYAreaRenderer2();
        // Rounded x coordinates leave no hairline seams between the segments of a band.
        renderer.setRoundXCoordinates(true);
        for (int e = 0; e < experts; e++) renderer.setSeriesPaint(e, ChartStyle.series(e, experts));
        plot.setRenderer(renderer);
        return chart;
    }

    /** "end: expert 5 least (0.2%), expert 1 most (38%)", red when one is starved or dominant. */
    static TextTitle endNote(ExpertShares shares) {
        double[] last = shares.shares()[shares.points() - 1];
        int least = 0;
        int most = 0;
        for (int e = 1; e < last.length; e++) {
            if (last[e] < last[least]) least = e;
            if (last[e] > last[most]) most = e;
        }
        double balanced = 1.0 / last.length;
        boolean alert = last[least] < STARVED * balanced || last[most] > DOMINANT * balanced;
        String text = last[least] == last[most] ? "end: every expert " + percent(last[most])
                : String.format(Locale.ROOT, "end: expert %d least (%s), expert %d most (%s)%s",
                        least, percent(last[least]), most, percent(last[most]), alert ? " - unbalanced" : "");
        TextTitle note = new TextTitle(text, ChartStyle.font(alert ? Font.BOLD : Font.PLAIN, 11));
        note.setPaint(alert ? ALERT : Color.DARK_GRAY);
        return note;
    }

    /** Two significant digits below 10%, whole percents above: "0.23%", "4.1%", "38%". */
    static String percent(double share) {
        double p = 100 * share;
        if (p >= 9.95) return String.format(Locale.ROOT, "%.0f%%", p);
        if (p >= 0.995) return String.format(Locale.ROOT, "%.1f%%", p);
        return String.format(Locale.ROOT, "%.2f%%", p);
    }

    private static int legendRows(Graphics2D g, int experts, int width) {
        int[] rows = {1};
        layoutLegend(g, experts, width, (i, x, row) -> rows[0] = row + 1);
        return rows[0];
    }

    private static void drawLegend(Graphics2D g, int experts, int left, int top, int width) {
        g.setFont(ChartStyle.font(Font.PLAIN, 12));
        FontMetrics metrics = g.getFontMetrics();
        layoutLegend(g, experts, width, (i, x, row) -> {
            int baseline = top + row * LEGEND_ROW_HEIGHT + metrics.getAscent() + 3;
            double midline = baseline - metrics.getAscent() / 2.0 + 1;
            if (i < experts) {
                g.setColor(ChartStyle.series(i, experts));
                g.fill(new Rectangle2D.Double(left + x, midline - SWATCH / 2.0, SWATCH, SWATCH));
            } else {
                g.setColor(GUIDE);
                g.setStroke(GUIDE_STROKE);
                g.draw(new Line2D.Double(left + x, midline, left + x + SWATCH, midline));
            }
            g.setColor(Color.DARK_GRAY);
            g.drawString(legendLabel(i, experts), left + x + SWATCH + 5, baseline);
        });
    }

    /** Places the legend items (experts, then the balance guide) left to right, wrapping rows. */
    private static void layoutLegend(Graphics2D g, int experts, int width, LegendItemSink sink) {
        FontMetrics metrics = g.getFontMetrics(ChartStyle.font(Font.PLAIN, 12));
        int x = 0;
        int row = 0;
        for (int i = 0; i <= experts; i++) {
            int itemWidth = SWATCH + 5 + metrics.stringWidth(legendLabel(i, experts));
            if (x > 0 && x + itemWidth > width) {
                x = 0;
                row++;
            }
            sink.place(i, x, row);
            x += itemWidth + LEGEND_GAP;
        }
    }

    private static String legendLabel(int item, int experts) {
        return item < experts ? "expert " + item : "balanced";
    }

    @FunctionalInterface
    private interface LegendItemSink {
        void place(int item, int x, int row);
    }

    private static BufferedImage noData() {
        XYPlot plot = new XYPlot(new XYSeriesCollection(), new NumberAxis("step"), new NumberAxis("share of tokens"),
                new XYLineAndShapeRenderer());
        plot.setNoDataMessage("no data");
        plot.setNoDataMessageFont(ChartStyle.font(Font.PLAIN, 20));
        JFreeChart chart = new JFreeChart(TITLE, null, plot, false);
        ChartStyle.apply(chart);
        ChartStyle.hideTickLabels(plot);
        return chart.createBufferedImage(900, 500);
    }

    /**
     * The shares as a table dataset (every expert has a value at every point), as the stacked
     * renderer needs. A single point is widened to a band one step wide so that it shows.
     */
    static final class SharesDataset extends AbstractXYDataset implements TableXYDataset {
        private final double[] x;
        private final double[][] y;

        SharesDataset(ExpertShares shares) {
            if (shares.points() == 1) {
                double step = shares.steps()[0];
                x = new double[] {step - 0.5, step + 0.5};
                y = new double[][] {shares.shares()[0], shares.shares()[0]};
            } else {
                x = shares.steps();
                y = shares.shares();
            }
        }

        @Override
        public int getSeriesCount() {
            return y.length == 0 ? 0 : y[0].length;
        }

        @Override
        public Comparable<String> getSeriesKey(int series) {
            return "expert " + series;
        }

        @Override
        public int getItemCount() {
            return x.length;
        }

        @Override
        public int getItemCount(int series) {
            return x.length;
        }

        @Override
        public Number getX(int series, int item) {
            return x[item];
        }

        @Override
        public Number getY(int series, int item) {
            return y[item][series];
        }
    }
}
