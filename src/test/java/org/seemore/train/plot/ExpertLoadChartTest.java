package org.seemore.train.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.title.TextTitle;
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

    /**
     * Fractions of tokens per expert (rows sum to 1) near balance with seeded noise, except that
     * expert {@code collapsed} of layer {@code collapsedLayer} gets none (-1: no collapse).
     */
    static List<double[][]> loads(int entries, int layers, int experts, int collapsedLayer, int collapsed) {
        Random random = new Random(42);
        List<double[][]> loads = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            double[][] entry = new double[layers][experts];
            for (int layer = 0; layer < layers; layer++) {
                double sum = 0;
                for (int e = 0; e < experts; e++) {
                    entry[layer][e] = layer == collapsedLayer && e == collapsed ? 0 : 1 + 0.2 * random.nextGaussian();
                    sum += entry[layer][e];
                }
                for (int e = 0; e < experts; e++) entry[layer][e] /= sum;
            }
            loads.add(entry);
        }
        return loads;
    }

    static List<Long> steps(int entries) {
        List<Long> steps = new ArrayList<>();
        for (int i = 1; i <= entries; i++) steps.add(i * 10L);
        return steps;
    }

    static int panelWidth(int layers) {
        return layers == 1 ? 880 : 440;
    }

    static int panelHeight(int layers) {
        return layers == 1 ? 420 : 300;
    }

    @ParameterizedTest
    @CsvSource({"1, 2, 1", "2, 8, 1", "2, 8, 5000", "3, 8, 40", "5, 4, 40", "8, 16, 40"})
    void writesOnePanelPerLayerAtTheExpectedSizeWithEveryExpertsColour(int layers, int experts, int entries) {
        Path png = dir.resolve("experts.png");
        ExpertLoadChart.write(png, steps(entries), loads(entries, layers, experts, -1, -1));
        BufferedImage image = Pngs.read(png);
        int columns = ExpertLoadChart.columns(layers);
        int rows = (layers + columns - 1) / columns;
        assertThat(image.getWidth()).isEqualTo(2 * ExpertLoadChart.MARGIN + columns * panelWidth(layers));
        int panelsBottom = ExpertLoadChart.TITLE_HEIGHT + rows * panelHeight(layers);
        assertThat(image.getHeight()).isBetween(panelsBottom + ExpertLoadChart.LEGEND_ROW_HEIGHT,
                panelsBottom + 3 * ExpertLoadChart.LEGEND_ROW_HEIGHT + 2 * ExpertLoadChart.MARGIN);
        for (int e = 0; e < experts; e++) {
            assertThat(Pngs.count(image, ChartStyle.series(e, experts), 2, 0, 0, image.getWidth(), panelsBottom))
                    .as("expert %d's band in the panels", e).isGreaterThan(200 * layers);
        }
    }

    @Test
    void aCollapsedExpertsBandIsMissingFromItsLayerOnly() {
        int experts = 8;
        BufferedImage image = ExpertLoadChart.render(steps(600), loads(600, 2, experts, 1, 5));
        Color starved = ChartStyle.series(5, experts);
        int top = ExpertLoadChart.TITLE_HEIGHT;
        int bottom = top + panelHeight(2);
        int layer0 = Pngs.count(image, starved, 2, ExpertLoadChart.MARGIN, top, ExpertLoadChart.MARGIN + 440, bottom);
        int layer1 = Pngs.count(image, starved, 2, ExpertLoadChart.MARGIN + 440, top, ExpertLoadChart.MARGIN + 880, bottom);
        assertThat(layer0).as("expert 5 in layer 0").isGreaterThan(3000);
        assertThat(layer1).as("expert 5 in layer 1").isLessThan(20);
        Color neighbour = ChartStyle.series(4, experts);
        assertThat(Pngs.count(image, neighbour, 2, ExpertLoadChart.MARGIN + 440, top, ExpertLoadChart.MARGIN + 880, bottom))
                .as("expert 4 in layer 1").isGreaterThan(3000);
    }

    @Test
    void eachPanelStacksTheSharesUnderDashedLinesAtTheBalancedBandEdges() {
        List<double[][]> loads = loads(10, 2, 4, -1, -1);
        ExpertShares shares = ExpertShares.of(steps(10), loads, 1, ExpertShares.MAX_POINTS);
        JFreeChart panel = ExpertLoadChart.panel(1, shares);
        assertThat(panel.getTitle().getText()).isEqualTo("layer 1");
        assertThat(panel.getXYPlot().getDataset().getSeriesCount()).isEqualTo(4);
        assertThat(panel.getXYPlot().getDataset().getYValue(2, 3)).isEqualTo(loads.get(3)[1][2] / sum(loads.get(3)[1]));
        List<Marker> markers = List.copyOf(panel.getXYPlot().getRangeMarkers(Layer.FOREGROUND));
        Set<Double> values = new HashSet<>();
        for (Marker m : markers) values.add(((ValueMarker) m).getValue());
        assertThat(values).containsExactlyInAnyOrder(0.25, 0.5, 0.75);
        assertThat(panel.getXYPlot().getRangeAxis().getLowerBound()).isZero();
        assertThat(panel.getXYPlot().getRangeAxis().getUpperBound()).isEqualTo(1.0);
    }

    private static double sum(double[] row) {
        double s = 0;
        for (double v : row) s += v;
        return s;
    }

    @Test
    void theEndNoteNamesTheLeastAndMostLoadedExpertAndTurnsRedWhenOneIsStarved() {
        ExpertShares balanced = new ExpertShares(new double[] {1, 2}, new double[][] {{0.25, 0.25, 0.25, 0.25},
                {0.22, 0.30, 0.20, 0.28}}, 1);
        TextTitle calm = ExpertLoadChart.endNote(balanced);
        assertThat(calm.getText()).isEqualTo("end: expert 2 least (20%), expert 1 most (30%)");
        assertThat(calm.getPaint()).isEqualTo(Color.DARK_GRAY);

        ExpertShares starved = new ExpertShares(new double[] {1}, new double[][] {{0.3, 0.002, 0.348, 0.35}}, 1);
        TextTitle alert = ExpertLoadChart.endNote(starved);
        assertThat(alert.getText()).isEqualTo("end: expert 1 least (0.20%), expert 3 most (35%) - unbalanced");
        assertThat(alert.getPaint()).isNotEqualTo(Color.DARK_GRAY);

        ExpertShares even = new ExpertShares(new double[] {1}, new double[][] {{0.5, 0.5}}, 1);
        assertThat(ExpertLoadChart.endNote(even).getText()).isEqualTo("end: every expert 50%");

        ExpertShares dominant = new ExpertShares(new double[] {1}, new double[][] {{0.1, 0.1, 0.1, 0.7}}, 1);
        assertThat(ExpertLoadChart.endNote(dominant).getText()).endsWith("(70%) - unbalanced");
    }

    @Test
    void percentKeepsTwoSignificantDigitsForSmallShares() {
        assertThat(ExpertLoadChart.percent(0.0023)).isEqualTo("0.23%");
        assertThat(ExpertLoadChart.percent(0.041)).isEqualTo("4.1%");
        assertThat(ExpertLoadChart.percent(0.38)).isEqualTo("38%");
        assertThat(ExpertLoadChart.percent(1.0)).isEqualTo("100%");
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
    void expertsKeepDistinctColours() {
        for (int count : new int[] {2, 8, 16, 24}) {
            Set<Color> colours = new HashSet<>();
            for (int e = 0; e < count; e++) colours.add(ChartStyle.series(e, count));
            assertThat(colours).as("%d experts", count).hasSize(count);
        }
        assertThat(ChartStyle.series(3, 8)).as("the same expert, whatever the panel").isEqualTo(ChartStyle.series(3, 8));
    }

    @Test
    void noStepsWritesANoDataChart() {
        Path png = dir.resolve("experts.png");
        ExpertLoadChart.write(png, List.of(), List.of());
        BufferedImage image = Pngs.read(png);
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(500);
        assertThat(Pngs.inkFraction(image)).isGreaterThan(0.001);
    }

    @Test
    void inconsistentShapesAreRejected() {
        assertThatThrownBy(() -> ExpertLoadChart.write(dir.resolve("a.png"), steps(2), loads(3, 1, 2, -1, -1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 steps but 3");
        List<double[][]> ragged = new ArrayList<>(loads(2, 2, 4, -1, -1));
        ragged.add(new double[][] {{0.25, 0.25, 0.25, 0.25}, {0.5, 0.5}});
        assertThatThrownBy(() -> ExpertLoadChart.write(dir.resolve("a.png"), steps(3), ragged))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 2 layer 1 has 2 experts");
        assertThat(Pngs.strayFiles(dir, dir.resolve("none"))).isZero();
    }

    @Test
    void writingIntoAMissingDirectoryIsAUserExceptionNamingThePath() {
        Path png = dir.resolve("missing").resolve("experts.png");
        assertThatThrownBy(() -> ExpertLoadChart.write(png, steps(3), loads(3, 2, 4, -1, -1)))
                .isInstanceOf(UserException.class)
                .hasMessageContaining(png.toString());
    }
}
