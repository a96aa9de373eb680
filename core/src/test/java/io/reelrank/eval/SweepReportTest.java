package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class SweepReportTest {

    private static final String NDCG = "ndcg@10 liked";
    private static final String MRR = "mrr liked";

    @TempDir
    Path dir;

    private static Map<String, Bootstrap.Interval> metrics(double ndcg) {
        Map<String, Bootstrap.Interval> m = new LinkedHashMap<>();
        m.put(NDCG, new Bootstrap.Interval(ndcg, ndcg - 0.03, ndcg + 0.03, 500));
        m.put(MRR, new Bootstrap.Interval(ndcg / 2, ndcg / 2 - 0.02, ndcg / 2 + 0.02, 500));
        return m;
    }

    private static SweepReport.Point linear(double alpha, double ndcg) {
        return new SweepReport.Point(SweepReport.LINEAR, alpha, Double.NaN, Double.NaN, metrics(ndcg));
    }

    /** A hump over α peaking at 0.7 (0.46), a weighted series below it, and rrf at 0.40. */
    private static List<SweepReport.Point> sweep() {
        List<SweepReport.Point> points = new ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            double a = i / 10.0;
            points.add(linear(a, 0.46 - 0.3 * (a - 0.7) * (a - 0.7)));
        }
        for (int i = 0; i <= 10; i += 5) {
            points.add(new SweepReport.Point(SweepReport.WEIGHTED, i / 10.0, 0.7, 0.5, metrics(0.42)));
        }
        points.add(new SweepReport.Point(SweepReport.RRF, Double.NaN, Double.NaN, Double.NaN, metrics(0.40)));
        return points;
    }

    @Test
    void writesAPngPlotOfTheMetricAgainstAlpha() throws Exception {
        Path png = dir.resolve("sweep.png");
        SweepReport.writePng(sweep(), NDCG, png);
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8));
        assertTrue(bytes.length > 10_000, "PNG of " + bytes.length + " bytes");
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image);
        assertEquals(900, image.getWidth());
        assertEquals(560, image.getHeight());
    }

    @Test
    void writesOneCsvRowPerSettingWithEveryMetricsInterval() throws Exception {
        Path csv = dir.resolve("sweep.csv");
        SweepReport.writeCsv(sweep(), csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(16, lines.size());
        assertEquals("fusion,alpha,popularity,collaborative,ndcg@10_liked_mean,ndcg@10_liked_low,ndcg@10_liked_high,"
                + "ndcg@10_liked_n,mrr_liked_mean,mrr_liked_low,mrr_liked_high,mrr_liked_n", lines.get(0));
        // α = 0.7: 0.46, interval ± 0.03; MRR half of it ± 0.02; a weight the fusion lacks is empty.
        assertEquals("linear,0.7,,,0.46,0.43,0.49,500,0.23,0.21,0.25,500", lines.get(8));
        assertEquals("weighted,0.5,0.7,0.5,0.42,0.39,0.45,500,0.21,0.19,0.23,500", lines.get(13));
        assertEquals("rrf,,,,0.4,0.37,0.43,500,0.2,0.18,0.22,500", lines.get(15));
    }

    @Test
    void theBestSettingHasTheHighestMeanAndTiesGoToTheEarlierPoint() {
        SweepReport.Point best = SweepReport.best(sweep(), NDCG);
        assertEquals(SweepReport.LINEAR, best.fusion());
        assertEquals(0.7, best.alpha(), 1e-12);
        List<SweepReport.Point> tied = List.of(linear(0.9, 0.5), linear(0.8, 0.5));
        assertEquals(0.9, SweepReport.best(tied, NDCG).alpha(), 1e-12);
    }

    @Test
    void rejectsAnAlphaForRrfAndOneOutsideZeroToOneForLinear() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> linear(1.5, 0.4));
        assertEquals("alpha must be in [0,1] for linear fusion, got 1.5", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SweepReport.Point(SweepReport.RRF, 0.5, Double.NaN, Double.NaN, metrics(0.4)));
        e = assertThrows(IllegalArgumentException.class,
                () -> new SweepReport.Point(SweepReport.WEIGHTED, 0.5, 1.2, 0.5, metrics(0.4)));
        assertEquals("popularity and collaborative weights must be in [0,1], got 1.2 and 0.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepReport.best(sweep(), "recall"));
        assertTrue(e.getMessage().startsWith("no metric named 'recall'"), e.getMessage());
    }
}
