package io.twinstream.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The comparison and the report, without services: what counts as missing, extra, wrong, clean. */
class AuditTest {

    private static Map<String, double[]> windows(Object... keyValues) {
        Map<String, double[]> out = new TreeMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put((String) keyValues[i], (double[]) keyValues[i + 1]);
        }
        return out;
    }

    @Test
    void shouldFindMissingExtraAndWrongFieldByFieldWithATolerancedSum() {
        Map<String, double[]> expected = windows(
                "a", new double[] {3, 0.1 + 0.2 + 0.3, 0.1, 0.3, 0.2},
                "b", new double[] {1, 5, 5, 5, 5},
                "c", new double[] {2, 4, 1, 3, 2});
        Map<String, double[]> found = windows(
                "a", new double[] {3, 0.3 + 0.2 + 0.1, 0.1, 0.3, 0.2}, // another order of addition: equal
                "c", new double[] {3, 4, 1, 3, 2}, // one reading too many
                "d", new double[] {1, 1, 1, 1, 1});

        AuditReport.Comparison comparison = Audit.compare(expected, found);

        assertThat(comparison.expected()).isEqualTo(3);
        assertThat(comparison.found()).isEqualTo(3);
        assertThat(comparison.missing()).containsExactly("b");
        assertThat(comparison.extra()).containsExactly("d");
        assertThat(comparison.wrong()).singleElement().asString().startsWith("c: expected [2.0, 4.0");
        assertThat(comparison.clean()).isFalse();
        assertThat(Audit.compare(expected, expected).clean()).isTrue();
    }

    /** Early results (final=false) are judged as not there: a window left with one was never closed. */
    @Test
    void shouldJudgeFinalValuesOnlyAndNameWindowsLeftWithAnEarlyResult() {
        Map<String, double[]> expected = windows(
                "a", new double[] {3, 6, 1, 3, 2},
                "b", new double[] {1, 5, 5, 5, 5});
        Map<String, double[]> finals = windows("a", new double[] {3, 6, 1, 3, 2});
        Map<String, double[]> early = windows(
                "b", new double[] {1, 5, 5, 5, 5}, // right so far, but never final
                "e", new double[] {1, 1, 1, 1, 1});

        AuditReport.Comparison comparison = Audit.finalOnly(Audit.compare(expected, finals), early);

        assertThat(comparison.missing()).isEmpty();
        assertThat(comparison.wrong()).singleElement().asString().startsWith("b: only an early result (final=false)");
        assertThat(comparison.extra()).containsExactly("e (early result)");
        assertThat(comparison.clean()).isFalse();
        assertThat(Audit.finalOnly(Audit.compare(expected, expected), Map.of()).clean())
                .isTrue();
    }

    @Test
    void shouldBeCleanOnlyWithNothingMissingAndEveryMalformedMessageDeadLettered() {
        AuditReport.Comparison same = new AuditReport.Comparison(2, 2, List.of(), List.of(), List.of());
        Audit.Target target = new Audit.Target("http://influx:8086", "telemetry", "kafka:9092");
        AuditReport clean = new AuditReport(
                "demo", 1, 1, target, same, same, Map.of("malformed", 3L), Map.of("telemetry.deadletter", 3L));
        AuditReport lostOne = new AuditReport(
                "demo", 1, 1, target, same, same, Map.of("malformed", 3L), Map.of("telemetry.deadletter", 2L));

        assertThat(clean.clean()).isTrue();
        assertThat(lostOne.deadLettersMissing()).isOne();
        assertThat(lostOne.clean()).isFalse();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        lostOne.print(new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("telemetry.deadletter 2 (malformed expected: 3)")
                .endsWith("audit: NOT CLEAN\n");
    }
}
