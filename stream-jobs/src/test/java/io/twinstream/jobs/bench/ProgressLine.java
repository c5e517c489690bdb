package io.twinstream.jobs.bench;

/** A progress line on standard error, rewritten at most twice a second; figures go to standard output. */
final class ProgressLine {

    /** For waits too short to report. */
    static final ProgressLine SILENT = new ProgressLine(null);

    private final String what;
    private long lastPrinted;

    ProgressLine(String what) {
        this.what = what;
    }

    void update(long done, long total) {
        long now = System.nanoTime();
        if (what == null) {
            return;
        }
        if (now - lastPrinted > 500_000_000L || done == total) {
            lastPrinted = now;
            System.err.printf(
                    "\r  %s: %,d / %,d (%d %%)%s",
                    what, done, total, total == 0 ? 100 : done * 100 / total, done == total ? "\n" : "");
        }
    }
}
