package org.seemore.train.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.Layer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.seemore.UserException;

class ExpertLoadChartTest {
    @TempDir Path dir;

    @BeforeAll
    static void headless() {
        PngFiles.ensureHeadless();
    }

    /** Loads that start skewed towards expert 0 and relax towards balance, with seeded noise. */
    static List<double[][]> loads(int entries, int layers, int experts, double balanced) {
        Random random = new Random(42);
        List<double[][]> loads = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            double[][] entry = new double[layers][experts];
            double skew = Math.exp(-i / (entries / 4.0));
            for (int layer = 0; layer < layers; layer++) {
                for (int e = 0; e < experts; e++) {
                    double target = e == 0 ? balanced * (1 + 2 * skew) : balanced * (1 - 2 * skew / (experts - 1));
                    entry[layer][e] = Math.max(0, target + balanced * 0.1 * random.nextGaussian());
                }
            }
            loads.add(entry);
        }
        return loads;
    }

    static List<Long> steps(int entries) {
        List<Long> steps = new ArrayList<>();
        for (int i = 0; i < entries; i++) steps.add(i * 50L);
        return steps;
    }

    @ParameterizedTest
    @CsvSource({"1, 2", "2, 4", "3, 8", "5, 4", "8, 16"})
    void drawsOnePanelPerLayerWithOneLinePerExpert(int layers, int experts) {
        Path png = dir.resolve("load.png");
        double balanced = 2.0 / experts;
        ExpertLoadChart.write(png, steps(40), loads(40, layers, experts, balanced), balanced);
        BufferedImage image = Pngs.read(png);
        int columns = ExpertLoadChart.columns(layers);
        int panelWidth = layers == 1 ? 880 : 440;
        assertThat(image.getWidth()).isEqualTo(2 * ExpertLoadChart.MARGIN + columns * panelWidth);
        assertThat(image.getHeight()).isGreaterThan(ExpertLoadChart.TITLE_HEIGHT + (layers + columns - 1) / columns * 280);
        assertThat(Pngs.inkFraction(image)).isGreaterThan(0.01);
        assertThat(Pngs.count(image, ChartStyle.series(0, experts), 20)).as("expert 0's colour").isGreaterThan(50);
        assertThat(Pngs.count(image, ChartStyle.series(experts - 1, experts), 20)).as("last expert's colour").isGreaterThan(50);
    }

    @Test
    void columnsStayWithinFourAndHoldEveryLayer() {
        for (int layers = 1; layers <= 8; layers++) {
            int columns = ExpertLoadChart.columns(layers);
            assertThat(columns).isBetween(1, 4);
            assertThat(columns * 2).as("at most two rows for %d layers", layers).isGreaterThanOrEqualTo(layers);
        }
    }

    @Test
    void eachPanelHasADashedLineAtTheBalancedLoad() {
        List<double[][]> loads = loads(10, 2, 4, 0.5);
        JFreeChart panel = ExpertLoadChart.panel(1, 4, steps(10), loads, 0.5, 1.2);
        assertThat(panel.getTitle().getText()).isEqualTo("layer 1");
        assertThat(panel.getXYPlot().getDataset().getSeriesCount()).isEqualTo(4);
        assertThat(panel.getXYPlot().getDataset().getYValue(2, 3)).isEqualTo(loads.get(3)[1][2]);
        List<Marker> markers = List.copyOf(panel.getXYPlot().getRangeMarkers(Layer.FOREGROUND));
        assertThat(markers).hasSize(1);
        assertThat(((ValueMarker) markers.getFirst()).getValue()).isEqualTo(0.5);
        assertThat(panel.getXYPlot().getRangeAxis().getUpperBound()).isEqualTo(1.2);
    }

    @Test
    void withoutAnExplicitBalancedValueItIsTheMeanRowSumOverTheExperts() {
        List<double[][]> topTwoOfFour = List.of(
                new double[][] {{1.0, 0.5, 0.25, 0.25}, {0.5, 0.5, 0.5, 0.5}},
                new double[][] {{0.0, 0.0, 1.0, 1.0}, {2.0, 0.0, 0.0, 0.0}});
        assertThat(ExpertLoadChart.balancedLoad(topTwoOfFour)).isEqualTo(0.5);
        assertThat(ExpertLoadChart.balancedLoad(List.of())).isZero();
        Path png = dir.resolve("load.png");
        ExpertLoadChart.write(png, steps(2), topTwoOfFour);
        assertThat(Pngs.read(png).getWidth()).isEqualTo(2 * ExpertLoadChart.MARGIN + 2 * 440);
    }

    @Test
    void noStepsWritesANoDataChart() {
        Path png = dir.resolve("load.png");
        ExpertLoadChart.write(png, List.of(), List.of(), 0.25);
        BufferedImage image = Pngs.read(png);
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(500);
        assertThat(Pngs.inkFraction(image)).isGreaterThan(0.001);
    }

    @Test
    void inconsistentShapesAreRejected() {
        assertThatThrownBy(() -> ExpertLoadChart.write(dir.resolve("a.png"), steps(2), loads(3, 1, 2, 0.5), 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 steps but 3");
        List<double[][]> ragged = new ArrayList<>(loads(2, 2, 4, 0.25));
        ragged.add(new double[][] {{0.25, 0.25, 0.25, 0.25}, {0.5, 0.5}});
        assertThatThrownBy(() -> ExpertLoadChart.write(dir.resolve("a.png"), steps(3), ragged, 0.25))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 2 layer 1 has 2 experts");
        assertThatThrownBy(() -> ExpertLoadChart.write(dir.resolve("a.png"), steps(2), loads(2, 1, 2, 0.5), Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("balanced");
        assertThat(Pngs.strayFiles(dir, dir.resolve("none"))).isZero();
    }

    @Test
    void writingIntoAMissingDirectoryIsAUserExceptionNamingThePath() {
        Path png = dir.resolve("missing").resolve("load.png");
        assertThatThrownBy(() -> ExpertLoadChart.write(png, steps(3), loads(3, 2, 4, 0.5), 0.5))
                .isInstanceOf(UserException.class)
                .hasMessageContaining(png.toString());
    }
}
