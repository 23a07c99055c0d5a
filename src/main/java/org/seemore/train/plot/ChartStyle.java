package org.seemore.train.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleInsets;

/**
 * The look shared by the charts: logical SansSerif fonts (present on every JDK, also headless),
 * white backgrounds with light grid lines, and a palette that keeps up to 16 series apart.
 */
final class ChartStyle {
    static final Color TRAIN = new Color(31, 100, 180);
    static final Color VALIDATION = new Color(230, 110, 20);
    static final Color GRID = new Color(212, 212, 212);
    static final Color REFERENCE = new Color(90, 90, 90);
    static final BasicStroke LINE = new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    static final BasicStroke DASHED = new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f);

    private ChartStyle() {}

    static Font font(int style, int size) {
        return new Font(Font.SANS_SERIF, style, size);
    }

    /**
     * Applies the fonts and colours to {@code chart} (not globally: other charts keep theirs).
     * The theme resets series paints and strokes, so set the renderer after this call.
     */
    static void apply(JFreeChart chart) {
        StandardChartTheme theme = new StandardChartTheme("seemore");
        theme.setExtraLargeFont(font(Font.BOLD, 18));
        theme.setLargeFont(font(Font.BOLD, 13));
        theme.setRegularFont(font(Font.PLAIN, 12));
        theme.setSmallFont(font(Font.PLAIN, 10));
        theme.setChartBackgroundPaint(Color.WHITE);
        theme.setPlotBackgroundPaint(Color.WHITE);
        theme.setLegendBackgroundPaint(Color.WHITE);
        theme.setDomainGridlinePaint(GRID);
        theme.setRangeGridlinePaint(GRID);
        theme.setPlotOutlinePaint(Color.GRAY);
        theme.setAxisOffset(RectangleInsets.ZERO_INSETS);
        theme.apply(chart);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.setPadding(new RectangleInsets(8, 6, 6, 14));
        if (chart.getPlot() instanceof XYPlot plot) plot.setOutlineVisible(true);
    }

    /** Hides the numbers and ticks on both axes: a "no data" chart has no scale to show. */
    static void hideTickLabels(XYPlot plot) {
        plot.getDomainAxis().setTickLabelsVisible(false);
        plot.getRangeAxis().setTickLabelsVisible(false);
        plot.getDomainAxis().setTickMarksVisible(false);
        plot.getRangeAxis().setTickMarksVisible(false);
        plot.getRangeAxis().setMinorTickMarksVisible(false);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
    }

    /**
     * A qualitative palette: strong, well separated colours first, then lighter partners of the
     * same hues. Grey is left out, since reference lines are grey.
     */
    private static final Color[] PALETTE = {
        new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(188, 189, 34),
        new Color(23, 190, 207),
        new Color(174, 199, 232), new Color(255, 187, 120), new Color(152, 223, 138), new Color(255, 152, 150),
        new Color(197, 176, 213), new Color(196, 156, 148), new Color(247, 182, 210), new Color(219, 219, 141),
        new Color(158, 218, 229),
    };

    /**
     * Colour of series {@code index} of {@code count}: from the palette while it has enough
     * colours, so that neighbouring series (adjacent bands of a stacked chart) differ in hue; beyond
     * it, hues evenly around the wheel, every other one darker.
     */
    static Color series(int index, int count) {
        if (count <= PALETTE.length) return PALETTE[index];
        int hues = (count + 1) / 2;
        float hue = (float) (index % hues) / hues;
        boolean dark = index >= hues;
        return Color.getHSBColor(hue, dark ? 0.9f : 0.6f, dark ? 0.55f : 0.9f);
    }
}
