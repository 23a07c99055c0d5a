package org.seemore.train.plot;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * A vertical base-10 log axis with ticks at round values (1, 2 and 5 times a power of ten, or
 * powers of ten alone over wide ranges), labelled in plain decimals. JFreeChart's own log axis
 * places ticks at fractional powers of ten, which reads as "6.3096, 3.9811".
 */
final class LogLossAxis extends LogAxis {
    /** Above this many decades only the powers of ten are labelled. */
    private static final double DENSE_DECADES = 3.0;

    LogLossAxis(String label) {
        super(label);
        setSmallestValue(1e-12);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
        if (!RectangleEdge.isLeftOrRight(edge)) return super.refreshTicks(g2, state, dataArea, edge);
        TextAnchor anchor = edge == RectangleEdge.LEFT ? TextAnchor.CENTER_RIGHT : TextAnchor.CENTER_LEFT;
        List<NumberTick> ticks = new ArrayList<>();
        for (double value : tickValues(getLowerBound(), getUpperBound())) {
            ticks.add(new NumberTick(TickType.MAJOR, value, label(value), anchor, anchor, 0.0));
        }
        return ticks;
    }

    /** The round values between {@code low} and {@code high}, ascending. */
    static List<Double> tickValues(double low, double high) {
        List<Double> values = new ArrayList<>();
        if (!(low > 0) || !(high > low)) return values;
        double decades = Math.log10(high / low);
        int[] mantissas = decades <= DENSE_DECADES ? new int[] {1, 2, 5} : new int[] {1};
        int decadeStep = Math.max(1, (int) Math.ceil(decades / 8));
        int first = (int) Math.floor(Math.log10(low));
        int last = (int) Math.ceil(Math.log10(high));
        for (int k = first; k <= last; k += decadeStep) {
            for (int m : mantissas) {
                double value = new BigDecimal(m).scaleByPowerOfTen(k).doubleValue();
                if (value >= low && value <= high) values.add(value);
            }
        }
        return values;
    }

    /** "0.05", "2", "1000"; scientific ("1e-5") only for very small or large values. */
    static String label(double value) {
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros();
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent >= -4 && exponent <= 6) return rounded.toPlainString();
        return rounded.movePointLeft(exponent).stripTrailingZeros().toPlainString() + "e" + exponent;
    }
}
