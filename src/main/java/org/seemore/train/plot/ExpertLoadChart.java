package org.seemore.train.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The expert-load chart: one panel per MoE layer, one line per expert showing the fraction of the
 * tokens the router sent to it at each logged step, and a dashed line at the balanced value (for
 * example {@code topK / numExperts}). Panels share the load axis so layers compare at a glance; a
 * single legend below names the experts. A collapsing router shows as lines leaving the dashed one.
 */
public final class ExpertLoadChart {
    static final String TITLE = "expert load per layer";
    static final int TITLE_HEIGHT = 44;
    static final int MARGIN = 10;
    static final int LEGEND_ROW_HEIGHT = 22;
    private static final int SWATCH = 22;
    private static final int LEGEND_GAP = 18;

    private ExpertLoadChart() {}

    /**
     * Writes the chart to {@code png}, replacing it atomically. {@code load.get(i)[layer][expert]}
     * is the fraction of tokens routed to {@code expert} of {@code layer} at {@code steps.get(i)};
     * every entry must have the same number of layers and experts. No steps gives a "no data"
     * chart.
     *
     * @param balanced the load every expert would have under perfect balance, drawn dashed
     * @throws IllegalArgumentException if the lists differ in length or the arrays in shape
     * @throws org.seemore.UserException if the file cannot be written
     */
    public static void write(Path png, List<Long> steps, List<double[][]> load, double balanced) {
        PngFiles.ensureHeadless();
        PngFiles.write(png, render(steps, load, balanced));
    }

    /**
     * As {@link #write(Path, List, List, double)}, with the balanced load taken from the data: the
     * mean row sum divided by the number of experts (1/E for top-1 routing, k/E for top-k).
     */
    public static void write(Path png, List<Long> steps, List<double[][]> load) {
        write(png, steps, load, balancedLoad(load));
    }

    /** The load each expert would carry if every row's total were shared equally. */
    static double balancedLoad(List<double[][]> load) {
        double sum = 0;
        int rows = 0;
        int experts = 0;
        for (double[][] entry : load) {
            for (double[] layer : entry) {
                for (double v : layer) if (Double.isFinite(v)) sum += v;
                rows++;
                experts = layer.length;
            }
        }
        return rows == 0 || experts == 0 ? 0.0 : sum / rows / experts;
    }

    static BufferedImage render(List<Long> steps, List<double[][]> load, double balanced) {
        int[] shape = validate(steps, load, balanced);
        if (steps.isEmpty()) return noData();
        int layers = shape[0];
        int experts = shape[1];
        int columns = columns(layers);
        int rows = (layers + columns - 1) / columns;
        int panelWidth = layers == 1 ? 880 : 440;
        int panelHeight = layers == 1 ? 420 : 290;
        int width = 2 * MARGIN + columns * panelWidth;

        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int legendRows = legendRows(probe, experts, balanced, width - 2 * MARGIN);
        probe.dispose();
        int height = TITLE_HEIGHT + rows * panelHeight + legendRows * LEGEND_ROW_HEIGHT + 2 * MARGIN;

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(ChartStyle.font(Font.BOLD, 18));
            FontMetrics titleMetrics = g.getFontMetrics();
            g.drawString(TITLE, (width - titleMetrics.stringWidth(TITLE)) / 2, MARGIN + titleMetrics.getAscent() + 4);

            double top = loadAxisTop(load, balanced);
            for (int layer = 0; layer < layers; layer++) {
                JFreeChart panel = panel(layer, experts, steps, load, balanced, top);
                double x = MARGIN + (layer % columns) * panelWidth;
                double y = TITLE_HEIGHT + (layer / columns) * panelHeight;
                panel.draw(g, new Rectangle2D.Double(x, y, panelWidth, panelHeight));
            }
            drawLegend(g, experts, balanced, MARGIN, TITLE_HEIGHT + rows * panelHeight + MARGIN / 2, width - 2 * MARGIN);
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

    private static int[] validate(List<Long> steps, List<double[][]> load, double balanced) {
        if (steps.size() != load.size()) {
            throw new IllegalArgumentException("got " + steps.size() + " steps but " + load.size() + " load entries");
        }
        if (!Double.isFinite(balanced) || balanced < 0) {
            throw new IllegalArgumentException("balanced load must be finite and non-negative, got " + balanced);
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

    /** The shared top of the load axis: a little above the largest load or the balanced line. */
    private static double loadAxisTop(List<double[][]> load, double balanced) {
        double max = balanced;
        for (double[][] entry : load) {
            for (double[] layer : entry) {
                for (double v : layer) if (Double.isFinite(v)) max = Math.max(max, v);
            }
        }
        return max > 0 ? max * 1.1 : 1.0;
    }

    static JFreeChart panel(int layer, int experts, List<Long> steps, List<double[][]> load, double balanced,
            double top) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        for (int e = 0; e < experts; e++) {
            XYSeries series = new XYSeries("expert " + e, true, true);
            for (int i = 0; i < steps.size(); i++) {
                double v = load.get(i)[layer][e];
                if (Double.isFinite(v)) series.add(steps.get(i).doubleValue(), v, false);
            }
            dataset.addSeries(series);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, steps.size() < 2);
        for (int e = 0; e < experts; e++) {
            renderer.setSeriesPaint(e, ChartStyle.series(e, experts));
            renderer.setSeriesStroke(e, ChartStyle.LINE);
            renderer.setSeriesShape(e, new Ellipse2D.Double(-3, -3, 6, 6));
        }
        NumberAxis stepAxis = new NumberAxis("step");
        stepAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        stepAxis.setAutoRangeIncludesZero(false);
        NumberAxis loadAxis = new NumberAxis("token fraction");
        loadAxis.setRange(0, top);
        XYPlot plot = new XYPlot(dataset, stepAxis, loadAxis, null);
        ValueMarker marker = new ValueMarker(balanced, ChartStyle.REFERENCE, ChartStyle.DASHED);
        plot.addRangeMarker(marker);

        JFreeChart chart = new JFreeChart("layer " + layer, ChartStyle.font(Font.BOLD, 13), plot, false);
        ChartStyle.apply(chart);
        chart.getTitle().setFont(ChartStyle.font(Font.BOLD, 13));
        plot.setRenderer(renderer);
        return chart;
    }

    private static int legendRows(Graphics2D g, int experts, double balanced, int width) {
        int[] rows = {1};
        layoutLegend(g, experts, balanced, width, (i, x, row) -> rows[0] = row + 1);
        return rows[0];
    }

    private static void drawLegend(Graphics2D g, int experts, double balanced, int left, int top, int width) {
        g.setFont(ChartStyle.font(Font.PLAIN, 12));
        FontMetrics metrics = g.getFontMetrics();
        layoutLegend(g, experts, balanced, width, (i, x, row) -> {
            int baseline = top + row * LEGEND_ROW_HEIGHT + metrics.getAscent() + 3;
            double midline = baseline - metrics.getAscent() / 2.0 + 1;
            if (i < experts) {
                g.setColor(ChartStyle.series(i, experts));
                g.setStroke(ChartStyle.LINE);
            } else {
                g.setColor(ChartStyle.REFERENCE);
                g.setStroke(ChartStyle.DASHED);
            }
            g.draw(new Line2D.Double(left + x, midline, left + x + SWATCH, midline));
            g.setColor(Color.DARK_GRAY);
            g.drawString(legendLabel(i, experts, balanced), left + x + SWATCH + 5, baseline);
        });
    }

    /** Places the legend items (experts, then the balanced line) left to right, wrapping rows. */
    private static void layoutLegend(Graphics2D g, int experts, double balanced, int width, LegendItemSink sink) {
        FontMetrics metrics = g.getFontMetrics(ChartStyle.font(Font.PLAIN, 12));
        int x = 0;
        int row = 0;
        for (int i = 0; i <= experts; i++) {
            int itemWidth = SWATCH + 5 + metrics.stringWidth(legendLabel(i, experts, balanced));
            if (x > 0 && x + itemWidth > width) {
                x = 0;
                row++;
            }
            sink.place(i, x, row);
            x += itemWidth + LEGEND_GAP;
        }
    }

    private static String legendLabel(int item, int experts, double balanced) {
        return item < experts ? "expert " + item : String.format(Locale.ROOT, "balanced (%.3g)", balanced);
    }

    @FunctionalInterface
    private interface LegendItemSink {
        void place(int item, int x, int row);
    }

    private static BufferedImage noData() {
        XYPlot plot = new XYPlot(new XYSeriesCollection(), new NumberAxis("step"), new NumberAxis("token fraction"),
                new XYLineAndShapeRenderer());
        plot.setNoDataMessage("no data");
        plot.setNoDataMessageFont(ChartStyle.font(Font.PLAIN, 20));
        JFreeChart chart = new JFreeChart(TITLE, null, plot, false);
        ChartStyle.apply(chart);
        ChartStyle.hideTickLabels(plot);
        return chart.createBufferedImage(900, 500);
    }
}
