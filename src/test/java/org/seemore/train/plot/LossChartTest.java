package org.seemore.train.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.title.TextTitle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;

class LossChartTest {
    @TempDir Path dir;

    @BeforeAll
    static void headless() {
        PngFiles.ensureHeadless();
    }

    /** A loss decaying from {@code from} towards {@code to} over {@code steps} steps, logged every {@code every}. */
    static List<LossPoint> decay(double from, double to, int steps, int every) {
        List<LossPoint> points = new ArrayList<>();
        for (int s = 0; s < steps; s += every) points.add(new LossPoint(s, to + (from - to) * Math.exp(-s / (steps / 6.0))));
        return points;
    }

    @Test
    void writesA900x500PngWithBothSeries() {
        Path png = dir.resolve("loss.png");
        LossChart.write(png, decay(6.0, 0.02, 2000, 10), decay(6.5, 0.05, 2000, 200));
        BufferedImage image = Pngs.read(png);
        assertThat(image.getWidth()).isEqualTo(LossChart.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LossChart.HEIGHT);
        assertThat(Pngs.inkFraction(image)).isGreaterThan(0.01);
        assertThat(Pngs.count(image, ChartStyle.TRAIN, 30)).as("training-line pixels").isGreaterThan(200);
        assertThat(Pngs.count(image, ChartStyle.VALIDATION, 30)).as("validation pixels").isGreaterThan(100);
    }

    @Test
    void emptyTrainingListWritesANoDataChart() {
        Path png = dir.resolve("loss.png");
        LossChart.write(png, List.of(), List.of());
        BufferedImage image = Pngs.read(png);
        assertThat(image.getWidth()).isEqualTo(LossChart.WIDTH);
        assertThat(Pngs.inkFraction(image)).as("title and message").isGreaterThan(0.001);
        assertThat(Pngs.count(image, ChartStyle.TRAIN, 30)).isZero();
        assertThat(LossChart.chart(List.of(), List.of()).getXYPlot().getNoDataMessage()).isEqualTo("no data");
        assertThat(LossChart.chart(List.of(), List.of()).getXYPlot().getDataset().getSeriesCount()).isZero();
    }

    @Test
    void lossAxisIsLogarithmicOnlyWhenTheValuesSpanMoreThanOneAndAHalfDecades() {
        assertThat(LossChart.chart(decay(6.0, 0.02, 1000, 10), List.of()).getXYPlot().getRangeAxis())
                .isInstanceOf(LogAxis.class);
        assertThat(LossChart.chart(decay(2.0, 0.5, 1000, 10), List.of()).getXYPlot().getRangeAxis())
                .isInstanceOf(NumberAxis.class);
        List<LossPoint> withZero = List.of(new LossPoint(0, 5.0), new LossPoint(1, 0.0));
        assertThat(LossChart.chart(withZero, List.of()).getXYPlot().getRangeAxis()).isInstanceOf(NumberAxis.class);
    }

    @Test
    void nonFiniteValuesAreLeftOutAndCounted() {
        List<LossPoint> train = new ArrayList<>(decay(3.0, 1.0, 100, 1));
        train.add(new LossPoint(100, Double.NaN));
        train.add(new LossPoint(101, Double.POSITIVE_INFINITY));
        JFreeChart chart = LossChart.chart(train, List.of(new LossPoint(50, Double.NaN)));
        assertThat(chart.getXYPlot().getDataset().getItemCount(0)).isEqualTo(100);
        assertThat(chart.getXYPlot().getDataset().getSeriesCount()).as("validation had no finite point").isEqualTo(1);
        assertThat(chart.getSubtitleCount()).isEqualTo(1);
        assertThat(((TextTitle) chart.getSubtitle(0)).getText()).isEqualTo("3 non-finite loss values not shown");
    }

    @Test
    void aSinglePointStillDrawsAMarker() {
        Path png = dir.resolve("loss.png");
        LossChart.write(png, List.of(new LossPoint(0, 4.2)), List.of());
        assertThat(Pngs.count(Pngs.read(png), ChartStyle.TRAIN, 30)).isGreaterThan(10);
    }

    @Test
    void rewritingReplacesTheFileAndLeavesNoTemporaryFile() throws Exception {
        Path png = dir.resolve("loss.png");
        Files.writeString(png, "not a png");
        LossChart.write(png, decay(6.0, 0.02, 500, 5), List.of());
        LossChart.write(png, decay(6.0, 0.02, 1000, 5), List.of());
        assertThat(Pngs.read(png).getWidth()).isEqualTo(LossChart.WIDTH);
        assertThat(Pngs.strayFiles(dir, png)).isZero();
    }

    @Test
    void writingIntoAMissingDirectoryIsAUserExceptionNamingThePath() {
        Path png = dir.resolve("missing").resolve("loss.png");
        assertThatThrownBy(() -> LossChart.write(png, decay(6.0, 0.02, 100, 5), List.of()))
                .isInstanceOf(UserException.class)
                .hasMessageContaining(png.toString())
                .hasMessageContaining("does not exist")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
