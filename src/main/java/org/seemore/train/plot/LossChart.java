package org.seemore.train.plot;

import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The training-loss chart: training loss against step as a line, validation loss (when there is
 * any) as a second line with markers. The loss axis is logarithmic when the plotted values span
 * more than 1.5 decades, as they do from initialization to convergence; otherwise linear. Non-finite
 * values (a diverged step) are left out and counted in a subtitle.
 */
public final class LossChart {
    static final int WIDTH = 900;
    static final int HEIGHT = 500;
    static final String TITLE = "seemore training loss";
    /** Above this ratio of largest to smallest loss (1.5 decades) the loss axis is logarithmic. */
    static final double LOG_SCALE_RATIO = Math.pow(10, 1.5);

    private LossChart() {}

    /**
     * Writes the chart to {@code png} (900x500), replacing it atomically. An empty {@code train}
     * list gives a chart that says "no data"; {@code validation} may be empty.
     *
     * @throws org.seemore.UserException if the file cannot be written
     */
    public static void write(Path png, List<LossPoint> train, List<LossPoint> validation) {
        PngFiles.ensureHeadless();
        PngFiles.write(png, chart(train, validation).createBufferedImage(WIDTH, HEIGHT));
    }

    static JFreeChart chart(List<LossPoint> train, List<LossPoint> validation) {
        XYSeries trainSeries = series("train", train);
        XYSeries validationSeries = series("validation", validation);
        XYSeriesCollection dataset = new XYSeriesCollection();
        boolean hasTrain = !trainSeries.isEmpty();
        boolean hasValidation = hasTrain && !validationSeries.isEmpty();
        if (hasTrain) dataset.addSeries(trainSeries);
        if (hasValidation) dataset.addSeries(validationSeries);

        NumberAxis stepAxis = new NumberAxis("step");
        stepAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        stepAxis.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(dataset, stepAxis, lossAxis(dataset), null);
        plot.setNoDataMessage("no data");
        plot.setNoDataMessageFont(ChartStyle.font(Font.PLAIN, 20));

        JFreeChart chart = new JFreeChart(TITLE, null, plot, hasValidation);
        ChartStyle.apply(chart);
        plot.setRenderer(renderer(trainSeries.getItemCount()));
        if (!hasTrain) ChartStyle.hideTickLabels(plot);
        int dropped = hasTrain ? (train.size() - trainSeries.getItemCount())
                + (validation.size() - validationSeries.getItemCount()) : 0;
        if (dropped > 0) {
            TextTitle note = new TextTitle(dropped + " non-finite loss value" + (dropped == 1 ? "" : "s") + " not shown",
                    ChartStyle.font(Font.PLAIN, 12));
            note.setPaint(ChartStyle.REFERENCE);
            chart.addSubtitle(note);
        }
        return chart;
    }

    /** True when the values are all positive and span more than {@link #LOG_SCALE_RATIO}. */
    static boolean useLogScale(XYSeriesCollection dataset) {
        if (dataset.getSeriesCount() == 0) return false;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < dataset.getSeriesCount(); s++) {
            XYSeries series = dataset.getSeries(s);
            min = Math.min(min, series.getMinY());
            max = Math.max(max, series.getMaxY());
        }
        return min > 0 && max / min > LOG_SCALE_RATIO;
    }

    private static ValueAxis lossAxis(XYSeriesCollection dataset) {
        if (useLogScale(dataset)) {
            return new LogLossAxis("loss (log scale)");
        }
        NumberAxis axis = new NumberAxis("loss");
        axis.setAutoRangeIncludesZero(false);
        return axis;
    }

    private static XYLineAndShapeRenderer renderer(int trainPoints) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, ChartStyle.TRAIN);
        renderer.setSeriesStroke(0, ChartStyle.LINE);
        // A line needs two points; a lone training point is drawn as a marker instead.
        renderer.setSeriesShapesVisible(0, trainPoints < 2);
        renderer.setSeriesShape(0, new Ellipse2D.Double(-3, -3, 6, 6));
        renderer.setSeriesPaint(1, ChartStyle.VALIDATION);
        renderer.setSeriesStroke(1, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        renderer.setSeriesShapesVisible(1, true);
        renderer.setSeriesShape(1, new Ellipse2D.Double(-4, -4, 8, 8));
        return renderer;
    }

    private static XYSeries series(String name, List<LossPoint> points) {
        XYSeries series = new XYSeries(name, true, true);
        for (LossPoint p : points) {
            if (Double.isFinite(p.value())) series.add(p.step(), p.value(), false);
        }
        return series;
    }
}
