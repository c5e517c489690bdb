package io.twinstream.pipeline.audit;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The audit's findings, and whether the pipeline is clean: no window or alert transition missing,
 * extra or different, and (when the topics were counted) no malformed message without its
 * dead-letter record.
 */
public record AuditReport(
        String scenario,
        long seed,
        double rateScale,
        Audit.Target target,
        Comparison windows,
        Comparison alerts,
        Map<String, Long> totals,
        Map<String, Long> topicRecords) {

    /** How many were expected and found, and which keys are missing, extra or wrong (with their fields). */
    public record Comparison(int expected, int found, List<String> missing, List<String> extra, List<String> wrong) {

        public boolean clean() {
            return missing.isEmpty() && extra.isEmpty() && wrong.isEmpty();
        }

        String line(String what) {
            return String.format(
                    "%-18s expected %,9d   found %,9d   missing %,6d   extra %,6d   wrong %,6d",
                    what, expected, found, missing.size(), extra.size(), wrong.size());
        }
    }

    /** Malformed messages the stream carried that have no dead-letter record (0 when the topics were not counted). */
    public long deadLettersMissing() {
        Long deadLetters = topicRecords.get("telemetry.deadletter");
        return deadLetters == null ? 0 : Math.max(0, totals.getOrDefault("malformed", 0L) - deadLetters);
    }

    public boolean clean() {
        return windows.clean() && alerts.clean() && deadLettersMissing() == 0;
    }

    public void print(PrintStream out) {
        PrintWriter writer = new PrintWriter(out, true, StandardCharsets.UTF_8);
        print(writer);
        writer.flush();
    }

    /** The same, to a writer (a command's output). */
    public void print(PrintWriter out) {
        out.printf(
                "audit: scenario %s, seed %d, rate scale %s, against %s database %s%n",
                scenario, seed, rateScale, target.influxUrl(), target.database());
        out.println(windows.line("windows"));
        out.println(alerts.line("alert transitions"));
        out.printf(
                "readings           published %,d (+ %,d duplicates), %,d late (beyond the allowed lateness), %,d out of order; "
                        + "%,d malformed messages, %,d status messages%n",
                totals.getOrDefault("readings", 0L),
                totals.getOrDefault("duplicates", 0L),
                totals.getOrDefault("late", 0L),
                totals.getOrDefault("outOfOrder", 0L),
                totals.getOrDefault("malformed", 0L),
                totals.getOrDefault("statusMessages", 0L));
        if (!topicRecords.isEmpty()) {
            out.printf(
                    "topics             telemetry.readings %,d records (duplicates included; the jobs remove them), "
                            + "telemetry.deadletter %,d (malformed expected: %,d), telemetry.late %,d samples%n",
                    topicRecords.getOrDefault("telemetry.readings", 0L),
                    topicRecords.getOrDefault("telemetry.deadletter", 0L),
                    totals.getOrDefault("malformed", 0L),
                    topicRecords.getOrDefault("telemetry.late", 0L));
        }
        printFirst(out, "missing", windows.missing(), alerts.missing());
        printFirst(out, "extra", windows.extra(), alerts.extra());
        printFirst(out, "wrong", windows.wrong(), alerts.wrong());
        out.println(
                clean()
                        ? "audit: CLEAN — every expected window and alert transition, nothing more, every field equal"
                        : "audit: NOT CLEAN");
    }

    private static void printFirst(PrintWriter out, String what, List<String> windows, List<String> alerts) {
        int shown = 0;
        for (List<String> list : List.of(windows, alerts)) {
            for (String key : list) {
                if (shown++ < 10) {
                    out.println("  " + what + ": " + key);
                }
            }
        }
        if (shown > 10) {
            out.println("  ... and " + (shown - 10) + " more " + what);
        }
    }
}
